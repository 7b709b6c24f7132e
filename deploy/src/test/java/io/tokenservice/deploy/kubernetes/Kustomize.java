package io.tokenservice.deploy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Command;
import io.tokenservice.deploy.Nodes;
import io.tokenservice.deploy.Repository;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code kubectl kustomize}: renders a kustomization offline, no cluster needed. */
final class Kustomize {
    private Kustomize() {}

    static Command run(Path kustomization) {
        return Command.run(Repository.ROOT, "kubectl", "kustomize", kustomization.toString());
    }

    static List<Map<String, Object>> render(Path kustomization) {
        Command render = run(kustomization);
        assertThat(render.exitCode()).as("kubectl kustomize %s (needs kubectl 1.21 or newer, kustomize v4+; "
                + "kubectl version --client says which): %s", kustomization, render.output()).isZero();
        return Nodes.documents(render.output());
    }
}
