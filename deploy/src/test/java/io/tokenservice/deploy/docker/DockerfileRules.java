package io.tokenservice.deploy.docker;

import io.tokenservice.deploy.Repository;
import io.tokenservice.deploy.SecretValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a Dockerfile against the repository without a Docker engine: every file it copies exists and
 * reaches the build context, every module it builds exists, every jar and class its commands run is what
 * the build produces, and the image runs as a non-root user with a health check and no secret.
 */
final class DockerfileRules {
    /** What a path in an image holds. */
    sealed interface Artifact {
        record ModuleJar(String module) implements Artifact {}

        record Classes(Set<String> classNames) implements Artifact {}
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern NUMERIC_NON_ROOT_USER = Pattern.compile("[1-9][0-9]*(:[0-9]+)?");

    private final Path root;
    private final Dockerfile dockerfile;
    private final DockerIgnore ignore;
    private final Set<String> problems = new LinkedHashSet<>();
    private final Map<String, Map<String, Artifact>> outputsByStage = new HashMap<>();

    private DockerfileRules(Path root, String text) {
        this.root = root;
        this.dockerfile = Dockerfile.parse(text);
        Path ignoreFile = root.resolve(".dockerignore");
        this.ignore = DockerIgnore.parse(Files.isRegularFile(ignoreFile) ? Repository.read(ignoreFile) : "");
    }

    /** The problems of the Dockerfile {@code text} built with {@code root} as its context; empty when none. */
    static List<String> problems(Path root, String text) {
        DockerfileRules rules = new DockerfileRules(root, text);
        rules.check();
        return List.copyOf(rules.problems);
    }

    private void check() {
        if (dockerfile.stages().isEmpty()) {
            problems.add("no FROM: not a Dockerfile");
            return;
        }
        Set<String> stageNames = new LinkedHashSet<>();
        for (Dockerfile.Stage stage : dockerfile.stages()) {
            checkBaseImage(stage, stageNames);
            outputsByStage.put(stage.name() == null ? "" : stage.name(), build(stage, stageNames));
            if (stage.name() != null) {
                stageNames.add(stage.name());
            }
        }
        checkFinalImage(dockerfile.finalStage());
    }

    private void checkBaseImage(Dockerfile.Stage stage, Set<String> earlierStages) {
        String image = stage.image();
        if (earlierStages.contains(image)) {
            return;
        }
        String lastPart = image.substring(image.lastIndexOf('/') + 1);
        if (!image.contains("@sha256:") && (!lastPart.contains(":") || lastPart.endsWith(":latest"))) {
            problems.add("FROM " + image + ": pin a tag or digest (not latest)");
        }
    }

    /** Follows a stage's instructions; returns what its file system holds that the checks can name. */
    private Map<String, Artifact> build(Dockerfile.Stage stage, Set<String> earlierStages) {
        Map<String, Artifact> files = new HashMap<>();
        String workdir = "/";
        String repositoryAt = null;
        for (Dockerfile.Instruction instruction : stage.instructions()) {
            String where = "line " + instruction.line() + ": ";
            switch (instruction.keyword()) {
                case "WORKDIR" -> workdir = absolute(workdir, instruction.arguments());
                case "COPY", "ADD" -> {
                    List<String> words = instruction.words();
                    String from = null;
                    List<String> operands = new ArrayList<>();
                    for (String word : words) {
                        if (word.startsWith("--from=")) {
                            from = word.substring("--from=".length());
                        } else if (!word.startsWith("--")) {
                            operands.add(word);
                        }
                    }
                    if (operands.size() < 2) {
                        problems.add(where + instruction.keyword() + " needs a source and a destination");
                        continue;
                    }
                    String destination = absolute(workdir, operands.get(operands.size() - 1));
                    List<String> sources = operands.subList(0, operands.size() - 1);
                    if (from == null) {
                        for (String source : sources) {
                            checkContextSource(where, source);
                            if (source.equals(".") || source.equals("./")) {
                                repositoryAt = destination;
                            }
                        }
                    } else {
                        copyFromStage(where, from, earlierStages, sources, destination, files);
                    }
                }
                case "RUN" -> {
                    List<String> words = instruction.words();
                    if (words.contains("./mvnw") || words.contains("mvnw")) {
                        mavenBuild(where, words, workdir, repositoryAt, files);
                    }
                    int javac = words.indexOf("javac");
                    if (javac >= 0) {
                        compile(where, words.subList(javac, words.size()), workdir, repositoryAt, files);
                    }
                }
                default -> { }
            }
        }
        return files;
    }

    private void checkContextSource(String where, String source) {
        String relative = source.replaceFirst("^\\./", "");
        if (relative.equals(".") || relative.isEmpty()) {
            return;
        }
        if (ignore.excludes(relative)) {
            problems.add(where + "COPY source " + source + " is left out of the build context by .dockerignore");
        } else if (!Files.exists(root.resolve(relative))) {
            problems.add(where + "COPY source " + source + " is not in the repository");
        }
    }

    private void copyFromStage(String where, String from, Set<String> earlierStages, List<String> sources,
                               String destination, Map<String, Artifact> files) {
        if (!earlierStages.contains(from)) {
            problems.add(where + "COPY --from=" + from + ": no earlier stage of that name");
            return;
        }
        Map<String, Artifact> built = outputsByStage.getOrDefault(from, Map.of());
        for (String source : sources) {
            Artifact artifact = built.get(source.replaceFirst("/$", ""));
            if (artifact == null) {
                problems.add(where + "COPY --from=" + from + " " + source + ": the stage builds no such file "
                        + "(it builds " + built.keySet() + ")");
                continue;
            }
            String target = destination.endsWith("/")
                    ? destination + source.substring(source.lastIndexOf('/') + 1) : destination;
            files.put(target.replaceFirst("/$", ""), artifact);
        }
    }

    private static Set<String> mavenModules(List<String> words) {
        Set<String> modules = new LinkedHashSet<>();
        for (int i = 0; i < words.size() - 1; i++) {
            if (words.get(i).equals("-pl") || words.get(i).equals("--projects")) {
                for (String module : words.get(i + 1).split(",")) {
                    modules.add(module.replaceFirst("^:", ""));
                }
            }
        }
        return modules;
    }

    private void mavenBuild(String where, List<String> words, String workdir, String repositoryAt,
                            Map<String, Artifact> files) {
        if (repositoryAt == null || !repositoryAt.equals(workdir)) {
            problems.add(where + "the Maven wrapper runs where the repository was not copied (COPY . . into the WORKDIR first)");
            return;
        }
        Path wrapper = root.resolve("mvnw");
        if (!Files.isExecutable(wrapper) || !Files.isRegularFile(root.resolve(".mvn/wrapper/maven-wrapper.properties"))) {
            problems.add(where + "the Maven wrapper (mvnw, .mvn/wrapper) is missing or not executable");
        }
        if (words.stream().noneMatch(w -> w.equals("package") || w.equals("install") || w.equals("verify"))) {
            problems.add(where + "the Maven build runs no package phase, so it builds no jar");
        }
        Set<String> modules = mavenModules(words);
        if (modules.isEmpty()) {
            problems.add(where + "the Maven build names no module (-pl MODULE -am)");
        } else if (!words.contains("-am") && !words.contains("--also-make")) {
            problems.add(where + "-pl without -am does not build the modules it depends on");
        }
        List<String> reactor = Repository.modules(root);
        for (String module : modules) {
            if (!reactor.contains(module) || !Files.isRegularFile(root.resolve(module).resolve("pom.xml"))) {
                problems.add(where + "module " + module + " is not a module of the root pom");
                continue;
            }
            ModulePom pom = ModulePom.read(root, module);
            pom.finalName().ifPresent(name -> files.put(workdir + "/" + module + "/target/" + name + ".jar",
                    new Artifact.ModuleJar(module)));
        }
    }

    private void compile(String where, List<String> javac, String workdir, String repositoryAt,
                         Map<String, Artifact> files) {
        String output = null;
        Set<String> classes = new LinkedHashSet<>();
        for (int i = 1; i < javac.size(); i++) {
            String word = javac.get(i);
            if (word.equals("-d") && i + 1 < javac.size()) {
                output = absolute(workdir, javac.get(++i));
            } else if (word.endsWith(".java")) {
                if (repositoryAt == null || !absolute(workdir, word).startsWith(repositoryAt + "/")) {
                    problems.add(where + "javac compiles " + word + ", which is not in the copied repository");
                    continue;
                }
                Path source = root.resolve(absolute(workdir, word).substring(repositoryAt.length() + 1));
                if (!Files.isRegularFile(source)) {
                    problems.add(where + "javac source " + word + " is not in the repository");
                    continue;
                }
                Matcher pkg = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;").matcher(Repository.read(source));
                String simpleName = source.getFileName().toString().replaceFirst("\\.java$", "");
                classes.add(pkg.find() ? pkg.group(1) + "." + simpleName : simpleName);
            }
        }
        if (output == null) {
            problems.add(where + "javac without -d: the classes land nowhere a COPY names");
        } else {
            files.put(output, new Artifact.Classes(classes));
        }
    }

    private void checkFinalImage(Dockerfile.Stage stage) {
        Map<String, Artifact> files = outputsByStage.get(stage.name() == null ? "" : stage.name());
        Map<String, String> env = new HashMap<>();
        for (Dockerfile.Instruction instruction : stage.all("ENV")) {
            for (String pair : instruction.words()) {
                String[] kv = pair.split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
                SecretValues.problem(kv[0], kv.length > 1 ? kv[1] : "")
                        .ifPresent(p -> problems.add("line " + instruction.line() + ": ENV " + p));
            }
        }
        for (Dockerfile.Stage any : dockerfile.stages()) {
            for (Dockerfile.Instruction arg : any.all("ARG")) {
                String name = arg.arguments().split("=", 2)[0];
                SecretValues.problem(name, "").ifPresent(p -> problems.add("line " + arg.line()
                        + ": ARG " + p + " (build arguments end up in the image history)"));
            }
        }

        Dockerfile.Instruction user = stage.last("USER");
        if (user == null || !NUMERIC_NON_ROOT_USER.matcher(user.arguments()).matches()) {
            problems.add("the final stage must end as a numeric non-root USER (uid:gid), so that Kubernetes' "
                    + "runAsNonRoot can verify it; found " + (user == null ? "none" : user.arguments()));
        }

        Dockerfile.Instruction entrypoint = stage.last("ENTRYPOINT");
        if (entrypoint == null || !entrypoint.arguments().startsWith("[")) {
            problems.add("the final stage needs an exec-form ENTRYPOINT (the JVM as PID 1 gets SIGTERM and drains)");
        } else {
            checkJavaCommand("ENTRYPOINT", entrypoint.words(), files, env);
        }

        Dockerfile.Instruction healthcheck = stage.last("HEALTHCHECK");
        List<String> check = healthcheck == null ? List.of() : healthcheck.words();
        int cmd = check.indexOf("CMD");
        if (healthcheck == null || cmd < 0) {
            problems.add("the final stage has no HEALTHCHECK CMD");
        } else {
            checkJavaCommand("HEALTHCHECK", check.subList(cmd + 1, check.size()), files, env);
        }

        Set<String> exposed = new LinkedHashSet<>();
        stage.all("EXPOSE").forEach(e -> e.words().forEach(p -> exposed.add(p.replaceFirst("/tcp$", ""))));
        env.forEach((name, value) -> {
            if (name.endsWith("_PORT") && !exposed.contains(value)) {
                problems.add("ENV " + name + "=" + value + " is not EXPOSEd (" + exposed + ")");
            }
        });
    }

    private void checkJavaCommand(String what, List<String> words, Map<String, Artifact> files, Map<String, String> env) {
        if (words.isEmpty() || !words.get(0).equals("java")) {
            problems.add(what + " does not run java: " + words);
            return;
        }
        for (String word : words) {
            Matcher variable = VARIABLE.matcher(word);
            while (variable.find()) {
                if (!env.containsKey(variable.group(1))) {
                    problems.add(what + " uses $" + variable.group(1) + ", which no ENV of the image sets");
                }
            }
        }
        int jar = words.indexOf("-jar");
        int classpath = Math.max(words.indexOf("-cp"), words.indexOf("-classpath"));
        if (jar >= 0 && jar + 1 < words.size()) {
            Artifact artifact = files.get(words.get(jar + 1));
            if (!(artifact instanceof Artifact.ModuleJar moduleJar)) {
                problems.add(what + " runs " + words.get(jar + 1) + ", which the image does not hold as a built module jar");
            } else {
                ModulePom pom = ModulePom.read(root, moduleJar.module());
                if (pom.mainClass().isEmpty()) {
                    problems.add(what + ": module " + moduleJar.module() + " declares no main class for java -jar");
                } else if (!ModulePom.hasClass(root, moduleJar.module(), pom.mainClass().get())) {
                    problems.add(what + ": main class " + pom.mainClass().get() + " has no source in module "
                            + moduleJar.module());
                }
            }
        } else if (classpath >= 0 && classpath + 2 < words.size()) {
            String path = words.get(classpath + 1);
            String className = words.get(classpath + 2);
            Artifact artifact = files.get(path.replaceFirst("/$", ""));
            if (artifact instanceof Artifact.ModuleJar moduleJar) {
                if (!ModulePom.hasClass(root, moduleJar.module(), className)) {
                    problems.add(what + ": class " + className + " has no source in module " + moduleJar.module());
                }
            } else if (artifact instanceof Artifact.Classes classes) {
                if (!classes.classNames().contains(className)) {
                    problems.add(what + ": class " + className + " is not among the compiled " + classes.classNames());
                }
            } else {
                problems.add(what + ": class path " + path + " is nothing the image was given");
            }
        } else {
            problems.add(what + " runs java with neither -jar JAR nor -cp PATH CLASS");
        }
    }

    private static String absolute(String workdir, String path) {
        if (path.startsWith("/")) {
            return Path.of(path).normalize().toString() + (path.endsWith("/") && path.length() > 1 ? "/" : "");
        }
        String joined = Path.of(workdir).resolve(path).normalize().toString();
        return path.endsWith("/") ? joined + "/" : joined;
    }
}
