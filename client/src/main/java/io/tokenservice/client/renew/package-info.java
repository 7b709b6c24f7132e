/**
 * Keeping an Agora session's token valid: implement {@link io.tokenservice.client.renew.AgoraSession} over
 * the SDK object (RTC engine, RTM client, Chat client), forward its token events to the
 * {@link io.tokenservice.client.renew.TokenEventListener} it is given, and start a
 * {@link io.tokenservice.client.renew.TokenRenewer} with the token the session joined with.
 */
package io.tokenservice.client.renew;
