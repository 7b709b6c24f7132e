/** Runnable demo: a simulated RTC session kept alive by a {@link io.tokenservice.client.renew.TokenRenewer}. */
package io.tokenservice.client.demo;
