package io.tokenservice.server.rpc;

import java.util.Map;

/**
 * Maps the field names of core's {@code InvalidTokenInputException} onto this API's proto field paths,
 * for the (normally unreachable) case that core rejects input the handlers already validated.
 */
public final class CoreFields {
    private static final Map<String, String> RTC = Map.of(
            "ttlSeconds", "ttl_seconds",
            "rtm.ttlSeconds", "ttl_seconds",
            "rtm.userId", "rtm_user_id",
            "privilegeTtls.joinChannel", "privilege_ttls.join_channel_seconds",
            "privilegeTtls.publishAudio", "privilege_ttls.publish_audio_seconds",
            "privilegeTtls.publishVideo", "privilege_ttls.publish_video_seconds",
            "privilegeTtls.publishData", "privilege_ttls.publish_data_seconds",
            "appId", "app_id");
    private static final Map<String, String> OTHER = Map.of(
            "ttlSeconds", "ttl_seconds",
            "userId", "user_id",
            "appId", "app_id");

    /** The user uuid is named by its field alone: room_user and user both have one. */
    private static final Map<String, String> APAAS = Map.of(
            "ttlSeconds", "ttl_seconds",
            "roomUuid", "room_user.room_uuid",
            "userUuid", "user_uuid",
            "role", "room_user.role",
            "appId", "app_id");

    private CoreFields() {}

    /** The proto field path for core's {@code field}; for RenewToken everything but ttl is the token. */
    public static String toProto(io.tokenservice.server.access.Rpc rpc, String field) {
        return switch (rpc) {
            case ISSUE_RTC_TOKEN -> RTC.getOrDefault(field, field);
            case ISSUE_RTM_TOKEN, ISSUE_CHAT_TOKEN -> OTHER.getOrDefault(field, field);
            case ISSUE_APAAS_TOKEN -> APAAS.getOrDefault(field, field);
            case RENEW_TOKEN -> field.equals("ttlSeconds") ? "ttl_seconds" : "token";
            case INSPECT_TOKEN -> field.equals("channel") || field.equals("account") ? field : "token";
        };
    }
}
