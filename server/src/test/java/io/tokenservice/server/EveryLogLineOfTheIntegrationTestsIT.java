package io.tokenservice.server;

import org.junit.jupiter.api.Order;

/**
 * The suite-wide secret check of {@link EveryLogLineOfTheSuiteTest}, run last among the integration tests.
 * Failsafe runs them in a JVM of their own, after {@code package}, where {@code SuiteLog} (a launcher session
 * listener, registered the same way) collects every line they write and every line of the server jar
 * processes they start; surefire's check never sees those lines, so this one checks them.
 */
@Order(Integer.MAX_VALUE)
class EveryLogLineOfTheIntegrationTestsIT extends EveryLogLineOfTheSuiteTest {
    @Override
    String linesFile() {
        return "integration-test-log-lines.txt";
    }
}
