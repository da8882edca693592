package dev.lbkit.health;

import dev.lbkit.api.HealthCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An agent check (HAProxy {@code agent-check}): sends the optional text, reads one line (up to 1 KiB, ended by
 * LF or by the agent closing) and reads its words, see {@link AgentReply}.
 */
final class AgentConversation extends Conversation {
    static final int MAX_LINE = 1024;
    private final byte[] send;

    AgentConversation(HealthCheck.Agent check) {
        this.send = check.send().map(s -> s.getBytes(StandardCharsets.ISO_8859_1)).orElse(null);
    }

    @Override
    boolean clientSpeaksFirst() {
        return send != null;
    }

    @Override
    void onConnected() {
        if (send != null) {
            attempt.send(send);
        }
    }

    @Override
    void onData(ByteBuffer b, boolean eof) {
        int end = -1;
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0 && !eof && b.remaining() < MAX_LINE) {
            return;
        }
        ByteBuffer line = b.duplicate();
        if (end >= 0) {
            line.limit(end);
        } else if (line.remaining() > MAX_LINE) {
            attempt.fail("agent: no line end within " + MAX_LINE + " bytes");
            return;
        }
        String text = latin1(line).trim();
        if (text.isEmpty()) {
            attempt.fail("agent: closed without a reply");
            return;
        }
        AgentReply reply = AgentReply.parse(text);
        attempt.finish(reply.passed(), reply.reason(), reply.advice());
    }

    @Override
    String phase() {
        return "waiting for the agent's reply";
    }

    /**
     * The meaning of an agent's line. The words (case ignored, separated by spaces, tabs or commas; after
     * {@code #} a description), as HAProxy reads them: {@code up} and {@code ready} pass; {@code down},
     * {@code fail}, {@code stopped} and {@code maint} fail (with the word as the reason); {@code drain} passes and
     * asks for a drain (no new connections, live ones go on); {@code N%} passes with the weight as advice (0..256;
     * {@code 0%} drains). The last state word wins; unknown words are ignored. A line with neither a state word nor
     * a weight fails. A reply's advice ({@link #advice()}) says whether to drain, and the weight when it gives one
     * (-1 otherwise: the last weight stays).
     */
    record AgentReply(boolean passed, String reason, Outcome.Advice advice) {
        static AgentReply parse(String line) {
            String description = "";
            int hash = line.indexOf('#');
            if (hash >= 0) {
                description = line.substring(hash + 1).trim();
                line = line.substring(0, hash);
            }
            String state = null;
            int weight = -1;
            for (String w : line.toLowerCase(Locale.ROOT).split("[\\s,]+")) {
                switch (w) {
                    case "up":
                    case "ready":
                    case "down":
                    case "fail":
                    case "stopped":
                    case "maint":
                    case "drain":
                        state = w;
                        break;
                    default:
                        if (w.endsWith("%")) {
                            try {
                                weight = Math.min(Integer.parseInt(w.substring(0, w.length() - 1)), 256);
                            } catch (NumberFormatException e) {
                                // ignored, as HAProxy ignores what it does not know
                            }
                        }
                }
            }
            String tail = description.isEmpty() ? "" : " (" + description + ")";
            if (state == null && weight < 0) {
                return new AgentReply(false, "agent: no state or weight in '" + line.trim() + "'", null);
            }
            boolean drain = "drain".equals(state) || weight == 0;
            Outcome.Advice advice = new Outcome.Advice(weight, drain);
            String w = weight >= 0 ? ", weight " + weight + "%" : "";
            if (state == null || state.equals("up") || state.equals("ready") || state.equals("drain")) {
                String s = state == null ? (weight == 0 ? "drain" : "up") : state;
                return new AgentReply(true, "agent: " + s + w + tail, advice);
            }
            return new AgentReply(false, "agent: " + state + w + tail, advice);
        }
    }
}
