/** TokenClient against the real server jar (native gRPC), and the gRPC-Web code path against a recording endpoint. */
import assert from "node:assert/strict";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  AgoraService,
  ErrorKind,
  Privilege,
  ProblemCode,
  RtcRole,
  Rtm2Access,
  Rtm2ResourceType,
  ServiceGrantSchema,
  ServiceType,
  Token,
  TokenServiceError,
  createTokenClient,
  decodeToken,
  type TokenClient,
  type TokenClientOptions,
} from "../src/index.js";
import { grpcTransport } from "../src/node.js";
import { grpcWebTransport } from "../src/web.js";
import { BadRequestSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../src/gen/google/rpc/status_pb.js";
import { rejection } from "./support/rejection.js";
import { RealServer, TEST_CA, freePort } from "./support/server.js";

let server: RealServer;

before(async () => {
  server = await RealServer.start({ callers: ["node-tests", "flood"] });
});

after(async () => {
  await server?.stop();
});

function client(options: Partial<TokenClientOptions> = {}): TokenClient {
  return createTokenClient({
    transport: grpcTransport(server.url),
    apiKey: server.key("node-tests"),
    allowInsecure: true,
    deadlineMs: 5000,
    ...options,
  });
}

/** A transport that counts the attempts that reach it (after the client's own interceptors). */
function counting(url: string): { transport: TokenClientOptions["transport"]; attempts: () => number } {
  let n = 0;
  const count: Interceptor = (next) => (req) => {
    n++;
    return next(req);
  };
  return {
    transport: (interceptors) => createGrpcTransport({ baseUrl: url, interceptors: [...interceptors, count] }),
    attempts: () => n,
  };
}

describe("issuing against the real server", () => {
  it("issues an RTC token whose content matches the request", async () => {
    const before = Date.now();
    const token = await client().issueRtcToken({
      channel: "lobby",
      identity: { case: "uid", value: 4242 },
      role: RtcRole.PUBLISHER,
      ttlSeconds: 600,
    });
    assert.equal(token.appId, server.appId);
    assert.equal(token.lifetimeMs(), 600_000);
    assert.ok(Math.abs(token.clockOffsetMs()) < 2000, "same machine: the clock offset is below a second plus the trip");
    assert.ok(token.receivedAt.getTime() >= before);
    assert.deepEqual(token.services.map((s) => [s.service, s.channel, s.uid]), [[ServiceType.RTC, "lobby", "4242"]]);
    assert.deepEqual(token.services[0]!.privileges.map((p) => p.privilege), [
      Privilege.RTC_JOIN_CHANNEL,
      Privilege.RTC_PUBLISH_AUDIO_STREAM,
      Privilege.RTC_PUBLISH_VIDEO_STREAM,
      Privilege.RTC_PUBLISH_DATA_STREAM,
    ]);

    const decoded = await decodeToken(token.value);
    assert.equal(decoded.appId, server.appId);
    assert.equal(decoded.issueTs * 1000, token.issuedAt.getTime());
    assert.equal(decoded.expire, 600);
    assert.deepEqual(decoded.services, [
      {
        type: AgoraService.RTC,
        channel: "lobby",
        uid: "4242",
        privileges: [1, 2, 3, 4].map((key) => ({ key, seconds: 600 })),
      },
    ]);
  });

  it("issues RTM and Chat user tokens for the requested user", async () => {
    const c = client();
    const rtm = await decodeToken((await c.issueRtmToken({ userId: "alice", ttlSeconds: 120 })).value);
    assert.deepEqual(rtm.services, [{ type: AgoraService.RTM, userId: "alice", privileges: [{ key: 1, seconds: 120 }] }]);
    const chat = await decodeToken((await c.issueChatToken({ subject: { case: "userId", value: "bob" } })).value);
    assert.equal(chat.expire, 3600, "0 = the default lifetime");
    assert.deepEqual(chat.services, [{ type: AgoraService.CHAT, userId: "bob", privileges: [{ key: 1, seconds: 3600 }] }]);
  });

  it("issues APaaS tokens and RTM tokens with RTM 2.x permissions", async () => {
    const c = client();
    const room = await c.issueApaasToken({
      subject: { case: "roomUser", value: { roomUuid: "room-1", userUuid: "student-7", role: 2 } },
      ttlSeconds: 600,
    });
    assert.deepEqual(room.services.map((s) => s.service), [ServiceType.RTM, ServiceType.CHAT, ServiceType.APAAS]);
    assert.equal(room.services[2]!.apaasRoomUuid, "room-1");
    assert.equal(room.services[2]!.apaasRole, 2);
    const decodedRoom = await decodeToken(room.value);
    assert.deepEqual(decodedRoom.services[2], {
      type: AgoraService.APAAS,
      channel: "room-1",
      uid: "student-7",
      role: 2,
      privileges: [{ key: 1, seconds: 600 }],
    });
    const sameGrants = async (issued: Token) =>
      assert.deepEqual(
        (await Token.fromString(issued.value)).services.map((s) => toBinary(ServiceGrantSchema, s)),
        issued.services.map((s) => toBinary(ServiceGrantSchema, s)),
        "a token read from its string shows the grants the server answered with",
      );
    await sameGrants(room);

    const rtm2 = await c.issueRtmToken({
      userId: "alice",
      permissions: [{ resourceType: Rtm2ResourceType.STREAM_CHANNELS, access: Rtm2Access.WRITE, resources: ["stage"] }],
    });
    assert.equal(rtm2.services[0]!.service, ServiceType.RTM2);
    assert.deepEqual(rtm2.services[0]!.rtm2Permissions.map((p) => [p.resourceType, p.access, p.resources]), [
      [Rtm2ResourceType.STREAM_CHANNELS, Rtm2Access.WRITE, ["stage"]],
    ]);
    assert.equal((await decodeToken(rtm2.value)).services[0]!.type, AgoraService.RTM2);
    await sameGrants(rtm2);

    const refused = await rejection(c.issueApaasToken({ subject: { case: "app", value: {} } }));
    assert.ok(refused instanceof TokenServiceError);
    assert.equal(refused.kind, ErrorKind.PERMISSION_DENIED);
    assert.match(refused.message, /allow_apaas_app_token: false/);
  });

  it("renews a token into a new one with the same grants", async () => {
    const c = client();
    const first = await c.issueRtcToken({ channel: "room", identity: { case: "account", value: "carol" }, role: RtcRole.SUBSCRIBER, ttlSeconds: 300 });
    const renewed = await c.renewToken(first.value);
    assert.ok(renewed.value !== first.value, "a new token");
    assert.notEqual(renewed.sha256Prefix, first.sha256Prefix);
    assert.ok(renewed.issuedAt.getTime() >= first.issuedAt.getTime());
    const a = await decodeToken(first.value);
    const b = await decodeToken(renewed.value);
    assert.deepEqual(b.services, a.services);
    assert.equal(b.expire, 300, "RenewToken without ttl keeps the lifetime");
    assert.equal((await decodeToken((await c.renewToken({ token: first.value, ttlSeconds: 60 })).value)).expire, 60);
  });

  it("inspects a token against the channel the client means to join", async () => {
    const c = client();
    const token = await c.issueRtcToken({ channel: "a", identity: { case: "uid", value: 7 }, role: RtcRole.PUBLISHER });
    const good = await c.inspectToken({ token: token.value, channel: "a", identity: { case: "uid", value: 7 } });
    assert.equal(good.accepted, true);
    const wrong = await c.inspectToken({ token: token.value, channel: "b", identity: { case: "uid", value: 7 } });
    assert.equal(wrong.accepted, false);
    assert.deepEqual(wrong.problems.map((p) => p.code), [ProblemCode.WRONG_CHANNEL]);
  });

  it("takes the caller's JWT from a function, asked before every call", async () => {
    let asked = 0;
    const c = client({ apiKey: undefined, bearerToken: async () => (asked++, server.key("node-tests")) });
    await c.issueRtmToken({ userId: "u1" });
    await c.issueRtmToken({ userId: "u2" });
    assert.equal(asked, 2);
  });
});

describe("errors from the real server, one type whose kind says what to do", () => {
  it("an invalid channel is INVALID_REQUEST naming the field, and is not retried", async () => {
    const { transport, attempts } = counting(server.url);
    const e = await rejection(
      client({ transport }).issueRtcToken({ channel: "no/slash", identity: { case: "uid", value: 1 }, role: RtcRole.PUBLISHER }),
    );
    assert.equal(e.kind, ErrorKind.INVALID_REQUEST);
    assert.equal(e.code, Code.InvalidArgument);
    assert.equal(e.retryable, false);
    assert.deepEqual(e.fieldViolations.map((v) => v.field), ["channel"]);
    assert.match(e.message, /^IssueRtcToken failed: INVALID_ARGUMENT: .*\[channel: /);
    assert.equal(attempts(), 1);
  });

  it("a wrong or missing API key is AUTHENTICATION", async () => {
    const wrong = await rejection(client({ apiKey: "tsk_not-a-key-of-this-server" }).issueRtmToken({ userId: "x" }));
    assert.equal(wrong.kind, ErrorKind.AUTHENTICATION);
    const none = await rejection(client({ apiKey: undefined }).issueRtmToken({ userId: "x" }));
    assert.equal(none.kind, ErrorKind.AUTHENTICATION);
    assert.ok(!wrong.message.includes("tsk_not-a-key"), "the key is not echoed");
  });

  it("a request outside the caller's policy is PERMISSION_DENIED naming the rule", async () => {
    const e = await rejection(client().issueRtcToken({ channel: "c", identity: { case: "uid", value: 0 }, role: RtcRole.PUBLISHER }));
    assert.equal(e.kind, ErrorKind.PERMISSION_DENIED);
    assert.match(e.reason, /wildcard/);
  });

  it("an app the server does not hold is UNKNOWN_APP", async () => {
    const e = await rejection(client().issueRtmToken({ appId: "0123456789abcdef0123456789abcdef", userId: "x" }));
    assert.equal(e.kind, ErrorKind.UNKNOWN_APP);
  });

  it("over the rate limit is RATE_LIMITED with the server's RetryInfo delay", async () => {
    // 300 calls at once on a loaded 2-core build machine can take longer than the default 10 s deadline; this
    // test is about the rate limit's answer, not about time.
    const c = client({ apiKey: server.key("flood"), retry: { maxAttempts: 1 }, deadlineMs: 60_000 });
    const outcomes = await Promise.allSettled(Array.from({ length: 300 }, () => c.issueRtmToken({ userId: "f" })));
    const refused = outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason as TokenServiceError);
    assert.ok(refused.length > 0, "300 calls at once exceed the quick-start burst of 100 plus 50/s of refill unless they take 4 s");
    for (const e of refused) {
      assert.equal(e.kind, ErrorKind.RATE_LIMITED, e.message);
      assert.ok(e.retryDelayMs !== undefined && e.retryDelayMs > 0);
      assert.equal(e.retryable, true);
    }
  });

  it("a message over the server's size limit is REQUEST_TOO_LARGE, not RATE_LIMITED", async () => {
    const { transport, attempts } = counting(server.url);
    const e = await rejection(client({ transport }).renewToken("007" + "A".repeat(100_000)));
    assert.equal(e.code, Code.ResourceExhausted);
    assert.equal(e.kind, ErrorKind.REQUEST_TOO_LARGE);
    assert.equal(e.retryDelayMs, undefined);
    assert.equal(e.retryable, false);
    assert.equal(attempts(), 1);
  });

  it("refuses to send credentials over plain http unless allowed, and sends nothing", async () => {
    const { transport, attempts } = counting(server.url);
    const e = await rejection(client({ transport, allowInsecure: false }).issueRtmToken({ userId: "x" }));
    assert.equal(e.kind, ErrorKind.AUTHENTICATION);
    assert.match(e.reason, /without TLS/);
    assert.equal(attempts(), 0);
  });
});

describe("faults", () => {
  it("retries UNAVAILABLE up to maxAttempts, and nothing else", async () => {
    const port = await freePort();
    const { transport, attempts } = counting(`http://127.0.0.1:${port}`);
    const c = client({ transport, retry: { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 10 } });
    const e = await rejection(c.issueRtmToken({ userId: "x" }));
    assert.equal(e.kind, ErrorKind.UNAVAILABLE);
    assert.equal(attempts(), 3);
  });

  it("a TLS client at the plaintext server is told to use http:// and allowInsecure, not to retry", async () => {
    const { transport, attempts } = counting(`https://127.0.0.1:${server.port}`);
    const c = client({ transport, allowInsecure: false, retry: { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 10 } });
    const e = await rejection(c.issueRtmToken({ userId: "x" }));
    assert.equal(e.kind, ErrorKind.TLS_MISMATCH);
    assert.equal(e.code, Code.Unavailable);
    assert.equal(e.retryable, false);
    assert.equal(attempts(), 1, "not retried");
    assert.match(e.message, /^IssueRtmToken failed: UNAVAILABLE: the server answered in plaintext/);
    assert.match(e.message, /http:\/\/ URL and allowInsecure: true/);
    assert.doesNotMatch(e.message, /SSL|openssl|\n/, "no transport internals");
  });

  it("gRPC-Web on Node's fetch tells the same TLS mismatch apart", async () => {
    const c = client({ transport: grpcWebTransport(`https://127.0.0.1:${server.port}`), allowInsecure: false });
    const e = await rejection(c.issueRtmToken({ userId: "x" }));
    assert.equal(e.kind, ErrorKind.TLS_MISMATCH);
    assert.equal(e.code, Code.Unavailable);
  });

  it("a plaintext (http://) client at a TLS server is told to use https://, not to retry", async () => {
    const tlsServer = await RealServer.start({ tls: true });
    try {
      const secure = client({ transport: grpcTransport(tlsServer.url, { nodeOptions: { ca: TEST_CA } }), apiKey: tlsServer.key() });
      assert.equal((await secure.issueRtmToken({ userId: "secure" })).appId, tlsServer.appId, "the server does speak TLS");
      let attempts = 0;
      const count: Interceptor = (next) => (req) => {
        attempts++;
        return next(req);
      };
      const plaintext = grpcTransport(`http://127.0.0.1:${tlsServer.port}`);
      const c = client({ transport: (interceptors) => plaintext([...interceptors, count]), apiKey: tlsServer.key(),
        retry: { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 10 } });
      const e = await rejection(c.issueRtmToken({ userId: "x" }));
      assert.equal(e.kind, ErrorKind.TLS_MISMATCH);
      assert.equal(e.code, Code.Unavailable);
      assert.equal(e.retryable, false);
      assert.equal(attempts, 1, "not retried");
      assert.match(e.message, /^IssueRtmToken failed: UNAVAILABLE: the server speaks TLS.*use https:\/\//);
    } finally {
      await tlsServer.stop();
    }
  });

  it("a plaintext server that drops connections, and a stopped one, stay UNAVAILABLE and are retried", async () => {
    const dropping = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    const droppingPort = (dropping.address() as { port: number }).port;
    try {
      for (const port of [droppingPort, await freePort()]) {
        let attempts = 0;
        const count: Interceptor = (next) => (req) => {
          attempts++;
          return next(req);
        };
        const transport = grpcTransport(`http://127.0.0.1:${port}`);
        const c = client({ transport: (interceptors) => transport([...interceptors, count]),
          retry: { maxAttempts: 3, initialBackoffMs: 5, maxBackoffMs: 10 } });
        const e = await rejection(c.issueRtmToken({ userId: "x" }));
        assert.equal(e.kind, ErrorKind.UNAVAILABLE, `port ${port}: ${e.message}`);
        assert.equal(e.code, Code.Unavailable);
        assert.equal(attempts, 3, "retried");
      }
    } finally {
      dropping.close();
    }
  });

  it("a retry after UNAVAILABLE reaches the server and succeeds", async () => {
    let failuresLeft = 2;
    const flaky: Interceptor = (next) => (req) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new ConnectError("connection reset", Code.Unavailable);
      }
      return next(req);
    };
    const c = client({
      transport: (interceptors) => createGrpcTransport({ baseUrl: server.url, interceptors: [...interceptors, flaky] }),
      retry: { initialBackoffMs: 5, maxBackoffMs: 10 },
    });
    const token = await c.issueRtmToken({ userId: "patient" });
    assert.equal((await decodeToken(token.value)).services[0]!.userId, "patient");
    assert.equal(failuresLeft, 0);
  });

  it("a server that accepts the connection but never answers ends in the deadline", async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = performance.now();
      const e = await rejection(client({ transport: grpcTransport(`http://127.0.0.1:${port}`), deadlineMs: 300 }).issueRtmToken({ userId: "x" }));
      assert.equal(e.code, Code.DeadlineExceeded);
      assert.equal(e.kind, ErrorKind.UNAVAILABLE);
      assert.ok(performance.now() - started < 5000);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it("an aborted call is CANCELLED", async () => {
    const controller = new AbortController();
    const call = client().issueRtmToken({ userId: "x" }, { signal: controller.signal });
    controller.abort();
    assert.equal((await rejection(call)).kind, ErrorKind.CANCELLED);
  });
});

describe("gRPC-Web transport (the browser's code path)", () => {
  it("sends gRPC-Web with the credentials and decodes a field error from grpc-status-details-bin", async () => {
    const status = create(StatusSchema, {
      code: Code.InvalidArgument,
      message: "channel is invalid",
      details: [anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations: [{ field: "channel", description: "bad character '/'" }] }))],
    });
    const seen: IncomingMessage[] = [];
    const endpoint = createHttpServer((req, res) => {
      seen.push(req);
      req.resume();
      req.on("end", () => {
        res.writeHead(200, {
          "content-type": "application/grpc-web+proto",
          "grpc-status": "3",
          "grpc-message": "channel%20is%20invalid",
          "grpc-status-details-bin": Buffer.from(toBinary(StatusSchema, status)).toString("base64").replace(/=+$/, ""),
        });
        res.end();
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, "127.0.0.1", r));
    const port = (endpoint.address() as { port: number }).port;
    try {
      const web = createTokenClient({ transport: grpcWebTransport(`http://127.0.0.1:${port}`), apiKey: "k3y-for-web", allowInsecure: true });
      const e = await rejection(web.issueRtcToken({ channel: "a/b", identity: { case: "uid", value: 1 }, role: RtcRole.PUBLISHER }));
      assert.equal(e.kind, ErrorKind.INVALID_REQUEST);
      assert.deepEqual(e.fieldViolations, [{ field: "channel", description: "bad character '/'" }]);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.url, "/tokenservice.v1.TokenService/IssueRtcToken");
      assert.equal(seen[0]!.headers["content-type"], "application/grpc-web+proto");
      assert.equal(seen[0]!.headers.authorization, "Bearer k3y-for-web");
    } finally {
      endpoint.close();
    }
  });
});

describe("the server's output", () => {
  it("never holds the API keys or the App Certificate", () => {
    for (const secret of [...server.keys.values(), server.certificate]) {
      assert.ok(!server.log.includes(secret), "a secret appeared in the server's output");
    }
    assert.ok(server.auditRecords().length > 0, "the audit log was captured");
  });
});
