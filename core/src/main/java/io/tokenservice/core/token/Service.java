package io.tokenservice.core.token;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One service block of an AccessToken2: its type, its privileges (sorted by key, no duplicates)
 * and the fields that type carries. Records are immutable; strings are kept exactly as encoded.
 */
public sealed interface Service {
    int TYPE_RTC = 1;
    int TYPE_RTM = 2;
    int TYPE_STREAMING = 3;
    int TYPE_FPA = 4;
    int TYPE_CHAT = 5;
    int TYPE_FCDN = 6;
    int TYPE_APAAS = 7;
    int TYPE_RTM2 = 8;
    int TYPE_CONVOAI = 9;
    int TYPE_STT = 10;

    int RTC_JOIN_CHANNEL = 1;
    int RTC_PUBLISH_AUDIO_STREAM = 2;
    int RTC_PUBLISH_VIDEO_STREAM = 3;
    int RTC_PUBLISH_DATA_STREAM = 4;
    int RTM_LOGIN = 1;
    int STREAMING_PUBLISH_MIX_STREAM = 1;
    int STREAMING_PUBLISH_RAW_STREAM = 2;
    int FPA_LOGIN = 1;
    int CHAT_USER = 1;
    int CHAT_APP = 2;
    int FCDN_PUBLISH = 1;
    int FCDN_PLAY = 2;
    int APAAS_ROOM_USER = 1;
    int APAAS_USER = 2;
    int APAAS_APP = 3;
    int RTM2_LOGIN = 1;

    int RTM2_MESSAGE_CHANNELS = 0;
    int RTM2_STREAM_CHANNELS = 1;
    int RTM2_GROUP_CHANNELS = 2;
    int RTM2_SERVER_GROUPS = 3;
    int RTM2_USERS = 4;
    int RTM2_READ = 0;
    int RTM2_WRITE = 1;

    int type();

    List<Privilege> privileges();

    /** The value of privilege {@code key}, if the service grants it. */
    default Optional<Long> privilege(int key) {
        for (Privilege p : privileges()) {
            if (p.key() == key) {
                return Optional.of(p.value());
            }
        }
        return Optional.empty();
    }

    /** Lower-case name used in logs, inspection output and the spec ("rtc", "rtm", ...). */
    default String name() {
        return nameOf(type());
    }

    static String nameOf(int type) {
        return switch (type) {
            case TYPE_RTC -> "rtc";
            case TYPE_RTM -> "rtm";
            case TYPE_STREAMING -> "streaming";
            case TYPE_FPA -> "fpa";
            case TYPE_CHAT -> "chat";
            case TYPE_FCDN -> "fcdn";
            case TYPE_APAAS -> "apaas";
            case TYPE_RTM2 -> "rtm2";
            case TYPE_CONVOAI -> "convoai";
            case TYPE_STT -> "stt";
            default -> "unknown(" + type + ")";
        };
    }

    /** RTC: join a channel and publish streams, as {@code uid} (decimal uid, account, or empty for anyone). */
    record Rtc(List<Privilege> privileges, String channel, String uid) implements Service {
        public Rtc {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(uid, "uid");
        }

        @Override
        public int type() {
            return TYPE_RTC;
        }
    }

    /** RTM (Signaling) login as {@code userId}. */
    record Rtm(List<Privilege> privileges, String userId) implements Service {
        public Rtm {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(userId, "userId");
        }

        @Override
        public int type() {
            return TYPE_RTM;
        }
    }

    record Streaming(List<Privilege> privileges, String channel, String account) implements Service {
        public Streaming {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(account, "account");
        }

        @Override
        public int type() {
            return TYPE_STREAMING;
        }
    }

    record Fpa(List<Privilege> privileges) implements Service {
        public Fpa {
            privileges = sortedPrivileges(privileges);
        }

        @Override
        public int type() {
            return TYPE_FPA;
        }
    }

    /** Agora Chat: a user token ({@code userId} set, privilege 1) or an app token (empty, privilege 2). */
    record Chat(List<Privilege> privileges, String userId) implements Service {
        public Chat {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(userId, "userId");
        }

        @Override
        public int type() {
            return TYPE_CHAT;
        }
    }

    record Fcdn(List<Privilege> privileges, String channel, String account) implements Service {
        public Fcdn {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(account, "account");
        }

        @Override
        public int type() {
            return TYPE_FCDN;
        }
    }

    /** APaaS (formerly Education); {@code role} is -1 when not set. */
    record Apaas(List<Privilege> privileges, String roomUuid, String userUuid, short role) implements Service {
        public Apaas {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(roomUuid, "roomUuid");
            Objects.requireNonNull(userUuid, "userUuid");
        }

        @Override
        public int type() {
            return TYPE_APAAS;
        }
    }

    /** RTM with resource permissions: {@code permissions} in ascending resource and permission type. */
    record Rtm2(List<Privilege> privileges, String userId, List<Rtm2Permission> permissions) implements Service {
        public Rtm2 {
            privileges = sortedPrivileges(privileges);
            Objects.requireNonNull(userId, "userId");
            permissions = List.copyOf(permissions);
        }

        @Override
        public int type() {
            return TYPE_RTM2;
        }
    }

    /** Resources of one type on which one permission (0 read, 1 write) is granted, in the order given. */
    record Rtm2Permission(int resourceType, int permissionType, List<String> resources) {
        public Rtm2Permission {
            resources = List.copyOf(resources);
        }
    }

    record ConvoAi(List<Privilege> privileges) implements Service {
        public ConvoAi {
            privileges = sortedPrivileges(privileges);
        }

        @Override
        public int type() {
            return TYPE_CONVOAI;
        }
    }

    record Stt(List<Privilege> privileges) implements Service {
        public Stt {
            privileges = sortedPrivileges(privileges);
        }

        @Override
        public int type() {
            return TYPE_STT;
        }
    }

    private static List<Privilege> sortedPrivileges(List<Privilege> privileges) {
        List<Privilege> sorted = new ArrayList<>(privileges);
        sorted.sort(null);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).key() == sorted.get(i - 1).key()) {
                throw new IllegalArgumentException("privilege key " + sorted.get(i).key() + " appears twice");
            }
        }
        return List.copyOf(sorted);
    }
}
