package io.tokenservice.deploy.docker;

import io.tokenservice.deploy.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a Dockerfile relies on in a module's pom: its artifact, jar name, main class and dependencies. */
record ModulePom(String module, String artifactId, Optional<String> finalName, Optional<String> mainClass,
                 List<String> runtimeDependencies) {
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);

    static ModulePom read(Path root, String module) {
        String pom = Repository.read(root.resolve(module).resolve("pom.xml"));
        String own = pom.replaceFirst("(?s)<parent>.*?</parent>", "");
        String artifactId = first(own, "artifactId").orElseThrow();
        Optional<String> mainClass = first(own, "mainClass").map(v -> v.equals("${main.class}")
                ? first(own, "main.class").orElse(v) : v);
        List<String> dependencies = new ArrayList<>();
        Matcher m = DEPENDENCY.matcher(own.replaceFirst("(?s)<dependencyManagement>.*?</dependencyManagement>", ""));
        while (m.find()) {
            String dependency = m.group(1);
            if (!dependency.matches("(?s).*<scope>\\s*(test|provided)\\s*</scope>.*")) {
                first(dependency, "artifactId").ifPresent(dependencies::add);
            }
        }
        return new ModulePom(module, artifactId, first(own, "finalName"), mainClass, dependencies);
    }

    private static Optional<String> first(String xml, String element) {
        Matcher m = Pattern.compile("<" + Pattern.quote(element) + ">\\s*([^<]+?)\\s*</" + Pattern.quote(element) + ">")
                .matcher(xml);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether {@code className}'s source is in this module or in a module of the repository it depends on. */
    static boolean hasClass(Path root, String module, String className) {
        String source = "src/main/java/" + className.replace('.', '/') + ".java";
        if (Files.isRegularFile(root.resolve(module).resolve(source))) {
            return true;
        }
        List<String> dependencies = read(root, module).runtimeDependencies();
        for (String other : Repository.modules(root)) {
            if (!other.equals(module) && Files.isRegularFile(root.resolve(other).resolve("pom.xml"))
                    && dependencies.contains(read(root, other).artifactId())
                    && hasClass(root, other, className)) {
                return true;
            }
        }
        return false;
    }
}
