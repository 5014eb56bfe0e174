package io.sluice.validation;

import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * WireMock stubs of the two providers, built from their documented shapes. NeverBounce v4 single check answers JSON
 * {"status":"success","result":...,"flags":[...],"suggested_correction":"","execution_time":n} and reports errors
 * with HTTP 200 and another status plus a message; Email List Verify answers one plain-text code.
 */
final class ProviderStubs implements AutoCloseable {

    static final String NB_KEY = "nb-secret-key-under-test";
    static final String ELV_KEY = "elv-secret-key-under-test";

    /** Counts requests being served at the same moment, to observe a concurrency cap at the stub. */
    static final class InFlight implements ServeEventListener {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();

        @Override
        public void beforeMatch(ServeEvent serveEvent, Parameters parameters) {
            max.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        @Override
        public void afterComplete(ServeEvent serveEvent, Parameters parameters) {
            now.decrementAndGet();
        }

        @Override
        public String getName() {
            return "in-flight";
        }
    }

    final InFlight inFlight = new InFlight();
    final WireMockServer server;

    ProviderStubs() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(60)
                .extensions(inFlight));
        server.start();
    }

    String url() {
        return server.baseUrl();
    }

    static String nbResult(String result, String... flags) {
        StringBuilder f = new StringBuilder();
        for (String flag : flags) {
            f.append(f.length() == 0 ? "" : ",").append('"').append(flag).append('"');
        }
        return "{\"status\":\"success\",\"result\":\"" + result + "\",\"flags\":[" + f + "],\"suggested_correction\":\"\","
                + "\"credits_info\":{\"paid_credits_used\":1,\"free_credits_used\":0,\"paid_credits_remaining\":999,"
                + "\"free_credits_remaining\":0},\"execution_time\":211}";
    }

    static String nbError(String status, String message) {
        return "{\"status\":\"" + status + "\",\"message\":\"" + message + "\",\"execution_time\":12}";
    }

    /** NeverBounce answers this for one address (matched in the form body). */
    void neverBounce(String email, ResponseDefinitionBuilder response) {
        server.stubFor(post(urlPathEqualTo("/v4/single/check"))
                .withRequestBody(containing("email=" + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8)))
                .willReturn(response));
    }

    void neverBounce(String email, String json) {
        neverBounce(email, okJson(json));
    }

    /** NeverBounce answers this for every address. */
    void neverBounceAll(ResponseDefinitionBuilder response) {
        server.stubFor(post(urlPathEqualTo("/v4/single/check")).atPriority(10).willReturn(response));
    }

    void emailListVerify(String email, String text) {
        server.stubFor(get(urlPathEqualTo("/api/verifyEmail")).withQueryParam("email", equalTo(email))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=UTF-8").withBody(text)));
    }

    void emailListVerifyAll(ResponseDefinitionBuilder response) {
        server.stubFor(get(urlPathEqualTo("/api/verifyEmail")).atPriority(10).willReturn(response));
    }

    @Override
    public void close() {
        server.stop();
    }
}
