package io.tokenservice.server.cli;

import io.tokenservice.server.metrics.BuildInfo;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar token-server.jar [COMMAND]}: {@code serve} (the default), {@code issue rtc|rtm|chat},
 * {@code inspect}, {@code hash-key}, {@code check-config}, {@code health}. Exit codes: {@value #OK} done;
 * {@value #FAILED} refused or failed (an invalid request, a token that does not decode, not SERVING);
 * {@value #CONFIG} the configuration is not valid; {@value #REJECTED_TOKEN} ({@code inspect}) the token decodes
 * but Agora would reject it; {@value #USAGE} a usage error. Usage errors and diagnostics go to standard error;
 * standard output carries only what was asked for.
 */
@Command(name = "token-server", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Agora token service. Without a command, runs the server (serve).",
        subcommands = {ServeCommand.class, IssueCommand.class, InspectCommand.class, HashKeyCommand.class,
                CheckConfigCommand.class, HealthCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:refused or failed", "2:configuration not valid",
                "3:inspect: the token decodes but Agora would reject it", "64:usage error"})
public final class Cli implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int CONFIG = 2;
    public static final int REJECTED_TOKEN = 3;
    public static final int USAGE = 64;

    /** What the commands read: the process environment and working directory, standard streams. */
    record Io(Map<String, String> env, Path workingDir, PrintStream out, PrintStream err, java.io.InputStream in) {
        static Io system() {
            return new Io(System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err, System.in);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"token-server " + BuildInfo.version()};
        }
    }

    private final Io io;

    Cli(Io io) {
        this.io = io;
    }

    /** {@code java -jar token-server.jar} with no command: serve. */
    @Override
    public Integer call() {
        return new ServeCommand(io).call();
    }

    /** Runs {@code args}; {@code serve} returns only once the server has stopped. */
    public static int run(String[] args) {
        return run(args, Io.system());
    }

    static int run(String[] args, Io io) {
        if (args.length == 0 || (args.length == 1 && args[0].equals("serve"))) {
            // The default start parses nothing, so it skips picocli: building its model of every command is
            // reflection over annotations (a proxy per annotation) and its Java 5 classes cannot be in a
            // class-data archive; together about a third of a start's CPU time.
            return serveWithoutParsing(io);
        }
        CommandLine line = new CommandLine(new Cli(io), new Factory(io));
        line.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
        line.setExitCodeExceptionMapper(e -> FAILED);
        line.setParameterExceptionHandler((e, args2) -> {
            CommandLine failed = e.getCommandLine();
            failed.getErr().println("error: " + e.getMessage());
            failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for usage.");
            return USAGE;
        });
        return line.execute(args);
    }

    /** What picocli's {@code execute} does with {@code serve}'s failure: the stack trace, and exit code {@value #FAILED}. */
    private static int serveWithoutParsing(Io io) {
        try {
            return new ServeCommand(io).call();
        } catch (RuntimeException e) {
            e.printStackTrace(io.err());
            return FAILED;
        }
    }

    /** Gives each command the same {@link Io}. */
    private record Factory(Io io) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(Io.class).newInstance(io);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
