package io.tokenservice.benchmarks.load;

import java.io.PrintStream;
import java.util.Map;

/**
 * Load generator for the token service: repeats IssueRtcToken or RenewToken against the server (native
 * gRPC) or the gateway (gRPC-Web), closed or open loop, and prints one result line (see
 * {@link LoadOptions#USAGE}). Exit code 0 after a run, 2 for a bad command line, 1 if the run could not start.
 */
public final class LoadGenerator {
    private LoadGenerator() {}

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            if (!e.getMessage().equals(LoadOptions.USAGE)) {
                err.println("(--help lists the options)");
            }
            return 2;
        }
        LoadResult result;
        try (RpcClient client = options.transport() == LoadOptions.Transport.GRPC
                ? new GrpcRpcClient(options) : new GrpcWebRpcClient(options)) {
            result = new LoadRun(client, options).run();
        } catch (RuntimeException e) {
            err.println("load run failed: " + e.getMessage());
            return 1;
        }
        out.println(result.line());
        return 0;
    }
}
