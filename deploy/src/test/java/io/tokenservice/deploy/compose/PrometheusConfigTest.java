package io.tokenservice.deploy.compose;

import static io.tokenservice.deploy.Nodes.maps;
import static io.tokenservice.deploy.Nodes.texts;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Command;
import io.tokenservice.deploy.Nodes;
import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus of the compose profile `monitoring`: a configuration promtool accepts, scraping both. */
class PrometheusConfigTest {
    private static final String CONFIG = "deploy/compose/prometheus.yml";

    @Test
    void promtoolAcceptsTheConfiguration() {
        Command check = Command.run(Repository.ROOT, "promtool", "check", "config", CONFIG);
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void promtoolRejectsAMisspeltKey(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("prometheus.yml");
        Files.writeString(broken, Repository.read(CONFIG).replace("scrape_interval:", "scrape_intervall:"));
        Command check = Command.run(Repository.ROOT, "promtool", "check", "config", broken.toString());
        assertThat(check.exitCode()).as(check.output()).isNotZero();
        assertThat(check.output()).contains("scrape_intervall");
    }

    @Test
    void itScrapesTheServerAndTheGatewayOnTheirAdminPort() {
        assertThat(targets(Repository.read(CONFIG))).containsExactlyInAnyOrder("token-server:9464", "token-gateway:9464");
        Map<String, Object> compose = Nodes.document(
                Command.run(Repository.ROOT, "docker-compose", "-f", "docker-compose.yml", "config").output());
        for (String target : targets(Repository.read(CONFIG))) {
            String[] hostPort = target.split(":");
            Map<String, String> env = ComposeRules.environment(Nodes.map(compose, "services", hostPort[0]));
            assertThat(env).as(target).containsEntry("ADMIN_PORT", hostPort[1])
                    .as(target + ": the admin port must listen beyond the container's loopback")
                    .containsEntry("ADMIN_BIND_ADDRESS", "0.0.0.0");
        }
        assertThat(Repository.read("docker-compose.yml"))
                .contains("./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    }

    private static List<String> targets(String prometheusYml) {
        List<String> targets = new ArrayList<>();
        for (Map<String, Object> job : maps(Nodes.document(prometheusYml), "scrape_configs")) {
            assertThat(Nodes.text(job, "metrics_path")).isEqualTo("/metrics");
            maps(job, "static_configs").forEach(c -> targets.addAll(texts(c, "targets")));
        }
        return targets;
    }
}
