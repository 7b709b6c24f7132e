package io.tokenservice.core.issue;

import java.util.Objects;

/**
 * An APaaS token (Flexible Classroom, formerly "Education"; Agora's {@code ApaasTokenBuilder} and
 * {@code EducationTokenBuilder2} build the same three kinds). Room and user ids are used as RTM
 * channel and user ids by Flexible Classroom, so they follow those rules.
 */
public sealed interface ApaasTokenRequest {
    long ttlSeconds();

    /** Join room {@code roomUuid} as {@code userUuid} with {@code role}; also logs in to RTM and Chat. */
    static RoomUser roomUser(String roomUuid, String userUuid, short role, long ttlSeconds) {
        return new RoomUser(roomUuid, userUuid, role, ttlSeconds);
    }

    /** Act as {@code userUuid} outside any room. */
    static User user(String userUuid, long ttlSeconds) {
        return new User(userUuid, ttlSeconds);
    }

    /** The app itself, for server-side calls. */
    static App app(long ttlSeconds) {
        return new App(ttlSeconds);
    }

    /**
     * {@code role} is the user's role in the room, as Flexible Classroom numbers them (for example
     * 1 teacher, 2 student, 3 assistant, 4 observer); never negative (-1 marks "no role" in user and
     * app tokens).
     */
    record RoomUser(String roomUuid, String userUuid, short role, long ttlSeconds) implements ApaasTokenRequest {
        public RoomUser {
            Objects.requireNonNull(roomUuid, "roomUuid");
            Objects.requireNonNull(userUuid, "userUuid");
        }
    }

    record User(String userUuid, long ttlSeconds) implements ApaasTokenRequest {
        public User {
            Objects.requireNonNull(userUuid, "userUuid");
        }
    }

    record App(long ttlSeconds) implements ApaasTokenRequest {}
}
