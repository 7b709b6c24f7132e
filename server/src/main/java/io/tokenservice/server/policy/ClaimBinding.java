package io.tokenservice.server.policy;

import io.tokenservice.server.access.EndUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ties what an end user (a JWT caller) may request to the claims of their token, on top of the caller's
 * policy, which it only ever narrows.
 *
 * <ul>
 *   <li>{@code identityClaim}: every requested identity (RTC uid or account, RTM user id, Chat user id, APaaS
 *       user uuid, and each user an RTM 2.x permission names) must
 *       equal this claim's text. A numeric RTC uid is compared as its decimal string, and a claim holding a
 *       JSON integer as its decimal digits, so uid {@code 42} matches {@code "sub": "42"} and
 *       {@code "uid": 42}, and not {@code "042"}. The wildcard identity and Chat and APaaS app tokens never
 *       match.
 *   <li>{@code channelTemplates}: glob patterns with {@code {claim}} placeholders, e.g. {@code room-{sub}-*};
 *       and {@code channelsClaim}: a claim holding the list of channel names the user may join (exact names).
 *       With either configured, the RTC channel (and an APaaS room, and each channel or group an RTM 2.x
 *       permission names) must match one of the templates or be in that list. A
 *       placeholder whose claim is missing, not a text, or holds {@code *} or {@code ?} makes its template
 *       match nothing: a claim can never widen a pattern.
 * </ul>
 */
public record ClaimBinding(Optional<String> identityClaim, List<ChannelTemplate> channelTemplates,
        Optional<String> channelsClaim) {
    private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:-]{0,63}");

    public ClaimBinding {
        Objects.requireNonNull(identityClaim, "identityClaim");
        channelTemplates = List.copyOf(channelTemplates);
        Objects.requireNonNull(channelsClaim, "channelsClaim");
        identityClaim.ifPresent(ClaimBinding::checkClaimName);
        channelsClaim.ifPresent(ClaimBinding::checkClaimName);
    }

    /** The binding of the {@code TOKEN_SERVICE_JWT_*} quick start: identity = {@code sub}, any channel. */
    public static ClaimBinding identityIsSubject() {
        return new ClaimBinding(Optional.of("sub"), List.of(), Optional.empty());
    }

    /** Whether the binding restricts channels at all. */
    public boolean bindsChannels() {
        return !channelTemplates.isEmpty() || channelsClaim.isPresent();
    }

    /** Empty if {@code identity} is the user's, else the broken rule (for PERMISSION_DENIED). */
    Optional<String> identityRefusal(EndUser user, String identity, String what) {
        if (identityClaim.isEmpty()) {
            return Optional.empty();
        }
        String claim = identityClaim.get();
        if (identity.isEmpty() || identity.equals("0") && what.startsWith("RTC")) {
            return Optional.of("bind.identity: " + claim + " allows only the user's own " + what
                    + ", not the wildcard or an app token");
        }
        Optional<String> own = user.text(claim);
        if (own.isEmpty()) {
            return Optional.of("bind.identity: the token has no text claim '" + claim + "'");
        }
        if (!own.get().equals(identity)) {
            return Optional.of("bind.identity: " + what + " '" + identity + "' is not the token's '" + claim
                    + "' claim");
        }
        return Optional.empty();
    }

    /** Empty if {@code channel} is allowed by the binding, else the broken rule. */
    Optional<String> channelRefusal(EndUser user, String channel) {
        if (!bindsChannels()) {
            return Optional.empty();
        }
        for (ChannelTemplate t : channelTemplates) {
            Optional<Glob> glob = t.expand(user);
            if (glob.isPresent() && glob.get().matches(channel)) {
                return Optional.empty();
            }
        }
        if (channelsClaim.isPresent() && user.texts(channelsClaim.get()).contains(channel)) {
            return Optional.empty();
        }
        List<String> rules = new ArrayList<>();
        channelTemplates.forEach(t -> rules.add(t.template()));
        return Optional.of("bind.channels: channel '" + channel + "' matches none of " + rules
                + channelsClaim.map(c -> " and is not listed in the token's '" + c + "' claim").orElse(""));
    }

    static void checkClaimName(String name) {
        if (!CLAIM_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a claim name (1-64 characters from A-Z a-z 0-9"
                    + " _ . : -, starting with a letter or _)");
        }
    }

    /** A channel glob with {@code {claim}} placeholders, parsed (and checked) once at load. */
    public record ChannelTemplate(String template, List<String> literals, List<String> claims) {
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

        public ChannelTemplate {
            literals = List.copyOf(literals);
            claims = List.copyOf(claims);
        }

        /** @throws IllegalArgumentException for a stray brace, an empty pattern or a bad claim name */
        public static ChannelTemplate parse(String template) {
            if (template.isEmpty()) {
                throw new IllegalArgumentException("empty channel pattern");
            }
            List<String> literals = new ArrayList<>();
            List<String> claims = new ArrayList<>();
            Matcher m = PLACEHOLDER.matcher(template);
            int at = 0;
            while (m.find()) {
                literals.add(literal(template, template.substring(at, m.start())));
                checkClaimName(m.group(1));
                claims.add(m.group(1));
                at = m.end();
            }
            literals.add(literal(template, template.substring(at)));
            return new ChannelTemplate(template, literals, claims);
        }

        private static String literal(String template, String part) {
            if (part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
                throw new IllegalArgumentException("channel pattern '" + template + "' has a brace that does not"
                        + " enclose a claim name, as in room-{sub}-*");
            }
            return part;
        }

        /** The glob for this user; empty if a claim is missing, not a text, or holds a glob character. */
        Optional<Glob> expand(EndUser user) {
            StringBuilder b = new StringBuilder(literals.get(0));
            for (int i = 0; i < claims.size(); i++) {
                Optional<String> value = user.text(claims.get(i));
                if (value.isEmpty() || value.get().isEmpty() || value.get().indexOf('*') >= 0
                        || value.get().indexOf('?') >= 0) {
                    return Optional.empty();
                }
                b.append(value.get()).append(literals.get(i + 1));
            }
            return Optional.of(Glob.compile(b.toString()));
        }
    }
}
