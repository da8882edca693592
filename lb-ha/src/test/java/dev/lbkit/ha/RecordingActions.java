package dev.lbkit.ha;

import dev.lbkit.api.HaState;
import java.util.ArrayList;
import java.util.List;

/** Records what a state machine asks for, and checks that addresses are taken and released strictly in turn. */
final class RecordingActions implements VrrpStateMachine.Actions {
    final List<String> log = new ArrayList<>();
    final List<Integer> adverts = new ArrayList<>();
    boolean holding;

    @Override
    public void sendAdvert(int priority) {
        adverts.add(priority);
        log.add("advert " + priority);
    }

    @Override
    public void takeAddresses() {
        if (holding) {
            throw new AssertionError("addresses taken twice");
        }
        holding = true;
        log.add("take");
    }

    @Override
    public void releaseAddresses() {
        if (!holding) {
            throw new AssertionError("addresses released but not held");
        }
        holding = false;
        log.add("release");
    }

    @Override
    public void stateChanged(HaState from, HaState to, String reason) {
        log.add(from + "->" + to);
    }
}
