package dev.lbkit.health;

import dev.lbkit.api.HealthCheck.SendExpect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A send/expect check: runs the steps in order; a send writes its bytes, an expect reads until its regular
 * expression is found in what arrived since the previous expect matched (a match consumes everything received
 * so far, so {@code ^} anchors at the start of the next reply). Up when every step is done.
 */
final class ScriptConversation extends Conversation {
    private final List<SendExpect.Step> steps;
    private final Pattern[] patterns;
    private int next;

    ScriptConversation(SendExpect check) {
        this.steps = check.steps();
        this.patterns = new Pattern[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof SendExpect.Expect) {
                patterns[i] = Pattern.compile(((SendExpect.Expect) steps.get(i)).regex());
            }
        }
    }

    @Override
    boolean clientSpeaksFirst() {
        return !steps.isEmpty() && steps.get(0) instanceof SendExpect.Send;
    }

    @Override
    void onConnected() {
        advance(null);
    }

    @Override
    void onData(ByteBuffer received, boolean eof) {
        advance(received);
    }

    /** Runs sends, and expects that what arrived already satisfies, until one has to wait. */
    private void advance(ByteBuffer received) {
        while (next < steps.size() && !attempt.isFinished()) {
            SendExpect.Step step = steps.get(next);
            if (step instanceof SendExpect.Send) {
                attempt.send(((SendExpect.Send) step).text().getBytes(StandardCharsets.ISO_8859_1));
                next++;
                continue;
            }
            if (received == null || !received.hasRemaining()) {
                return;
            }
            Matcher m = patterns[next].matcher(latin1(received));
            if (!m.find()) {
                return;
            }
            received.position(received.limit());
            next++;
        }
        if (next == steps.size()) {
            attempt.succeed("send/expect: " + steps.size() + " steps done");
        }
    }

    @Override
    String phase() {
        return next < steps.size() && steps.get(next) instanceof SendExpect.Expect
                ? "step " + (next + 1) + ": expecting '" + patterns[next].pattern() + "'"
                : "step " + (next + 1);
    }
}
