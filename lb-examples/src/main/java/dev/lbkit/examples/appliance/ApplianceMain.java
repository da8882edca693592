package dev.lbkit.examples.appliance;

import dev.lbkit.examples.appliance.realserver.RealServerHelper;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The appliance's command line ({@code java -jar lbkit-appliance.jar ...}):
 *
 * <pre>
 * [run] --config FILE      start: apply FILE, serve the REST API, reload on SIGHUP, stop on SIGTERM/Ctrl-C
 * check --config FILE      (or --check FILE) validate FILE without starting; exit 0 when valid, 1 with
 *                          file:line:column: field: message when not
 * hash-password            read a password from the console or standard input, print its PBKDF2 hash
 *                          for admin.passwordHash
 * realserver --mode ...    print the commands a real server needs (see RealServerHelper)
 * </pre>
 *
 * Logging (slf4j-simple, this jar only): defaults from {@code logging.properties} beside this class, overridden
 * by a file named in {@code -Dlbkit.logging=FILE} and then by {@code -Dorg.slf4j.simpleLogger.*} properties.
 */
public final class ApplianceMain {
    /**
     * Counted down by the shutdown hook of a started appliance. The main thread waits on it: without the REST API
     * ({@code admin.listen: off}) no other thread keeps the JVM alive, and the appliance stopped right after start.
     */
    private static final CountDownLatch STOPPED = new CountDownLatch(1);

    private ApplianceMain() {}

    public static void main(String[] args) {
        configureLogging();
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
        while (true) {
            try {
                STOPPED.await(); // until SIGTERM/SIGINT: the shutdown hook has closed the appliance
                return;
            } catch (InterruptedException e) {
                // nothing interrupts the main thread on purpose; keep running
            }
        }
    }

    /** Runs a command; returns the exit status, or -1 when the appliance was started and keeps running. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length > 0 && !args[0].startsWith("-") ? args[0] : "run";
        String[] rest = args.length > 0 && !args[0].startsWith("-") ? java.util.Arrays.copyOfRange(args, 1,
                args.length) : args;
        try {
            switch (command) {
                case "run":
                    if (rest.length == 2 && rest[0].equals("--check")) {
                        return check(Path.of(rest[1]), out, err);
                    }
                    return start(configOption(rest), out, err);
                case "check":
                    return check(configOption(rest), out, err);
                case "hash-password":
                    return hashPassword(out, err);
                case "realserver":
                    out.print(RealServerHelper.render(RealServerHelper.parse(rest)));
                    return 0;
                default:
                    err.println("unknown command '" + command + "'\n" + usage());
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    static String usage() {
        return "usage: java -jar lbkit-appliance.jar [run] --config FILE\n"
                + "       java -jar lbkit-appliance.jar --check FILE   (or: check --config FILE)\n"
                + "       java -jar lbkit-appliance.jar hash-password\n"
                + "       java -jar lbkit-appliance.jar realserver --mode dr|nat|tun --vip ADDRESS [...]";
    }

    private static Path configOption(String[] args) {
        if (args.length == 2 && args[0].equals("--config")) {
            return Path.of(args[1]);
        }
        throw new IllegalArgumentException(usage());
    }

    static int check(Path file, PrintStream out, PrintStream err) {
        try {
            ApplianceConfig c = ConfigFiles.load(file);
            int rips = c.configuration().virtualServers().stream().mapToInt(v -> v.realServers().size()).sum();
            out.println(file + ": valid: " + c.configuration().size() + " virtual servers, " + rips
                    + " real servers");
            return 0;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        } catch (NoSuchFileException e) {
            err.println(file + ": no such file");
            return 1;
        } catch (IOException e) {
            err.println(file + ": cannot be read: " + e.getMessage());
            return 1;
        }
    }

    private static int start(Path file, PrintStream out, PrintStream err) {
        ApplianceConfig config;
        try {
            config = ConfigFiles.load(file);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println(file + ": cannot be read: " + e);
            return 1;
        }
        Appliance appliance;
        try {
            appliance = new Appliance(file, config, out);
        } catch (RuntimeException | IOException e) {
            err.println("lbkit appliance: cannot start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            appliance.close();
            STOPPED.countDown();
        }, "lbkit-shutdown"));
        Signals.onHangUp(() -> {
            try {
                Appliance.Result r = appliance.reload("signal", "sighup");
                out.println("lbkit appliance: reloaded " + file + " (version " + r.version() + "): "
                        + r.diff().toString().replace('\n', ';'));
            } catch (ConfigException e) {
                err.println("lbkit appliance: reload refused, still running the previous configuration: "
                        + e.getMessage());
            } catch (Exception e) {
                err.println("lbkit appliance: reload failed, still running the previous configuration: " + e);
            }
        });
        // only now: a SIGHUP before the handler is installed would end the JVM (its default action), and
        // systemd or a test may send one as soon as this line appears
        out.println("lbkit appliance: running " + config.configuration().size() + " virtual servers from "
                + file.toAbsolutePath() + " (SIGHUP reloads it)");
        out.flush();
        return -1;
    }

    private static int hashPassword(PrintStream out, PrintStream err) {
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("password: ");
            char[] again = console.readPassword("again: ");
            if (password == null || again == null || !java.util.Arrays.equals(password, again)) {
                err.println("the passwords differ");
                return 1;
            }
        } else {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                password = line == null ? new char[0] : line.toCharArray();
            } catch (IOException e) {
                err.println("cannot read the password: " + e);
                return 1;
            }
        }
        if (password.length < 12) {
            err.println("password: must be at least 12 characters but was " + password.length);
            return 1;
        }
        out.println(Passwords.hash(password));
        return 0;
    }

    /** slf4j-simple settings for this jar only (the library modules log through the SLF4J API alone). */
    static void configureLogging() {
        Properties p = new Properties();
        try (InputStream in = ApplianceMain.class.getResourceAsStream("logging.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // keep slf4j-simple's own defaults
        }
        String external = System.getProperty("lbkit.logging");
        if (external != null) {
            try (Reader r = Files.newBufferedReader(Path.of(external), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                System.err.println("lbkit.logging: cannot read " + external + ": " + e.getMessage());
            }
        }
        for (String k : p.stringPropertyNames()) {
            if (System.getProperty(k) == null) {
                System.setProperty(k, p.getProperty(k));
            }
        }
    }
}
