// Our HttpsServer against our HttpsClient on 127.0.0.1.
#include "net/https_server.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <thread>

#include "net/testing/test_pki.h"
#include "net/testing/test_server.h"

namespace wott::net {
namespace {

using testing::ClientCert;
using testing::Logged;
using testing::MakeClient;
using testing::TestServer;

Logged LastLogged(const TestServer& s) {
  std::vector<Logged> all = s.logged();
  return all.empty() ? Logged{} : all.back();
}

// Retries until `pred` holds, for at most 20 s (the server reports asynchronously).
template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(HttpsServerTest, ServesAndReportsEachRequest) {
  TestServer s;
  ASSERT_NE(s.port(), 0);
  HttpsClient client = MakeClient();
  Result<HttpResponse> r = client.Request("GET", s.Url("/hello?x=1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->content_type, "text/plain; charset=utf-8");
  ASSERT_TRUE(Eventually([&] { return !s.logged().empty(); }));
  Logged l = LastLogged(s);
  EXPECT_EQ(l.method, "GET");
  EXPECT_EQ(l.target, "/hello?x=1");
  EXPECT_EQ(l.route, "/hello");
  EXPECT_EQ(l.status, 200);
  EXPECT_EQ(l.peer, "");
  EXPECT_EQ(l.error, "");
  EXPECT_TRUE(l.had_request);
}

TEST(HttpsServerTest, PostJsonReachesHandler) {
  TestServer s;
  Result<HttpResponse> r = MakeClient().PostJson(s.Url("/echo"), R"({"a":1})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"a":1})");
  EXPECT_EQ(r->headers.Get("X-Got-Type"), "application/json");
}

TEST(HttpsServerTest, UnknownPath404WrongMethod405) {
  TestServer s;
  HttpsClient client = MakeClient();
  Result<HttpResponse> missing = client.Request("GET", s.Url("/nope"));
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, R"({"error":{"code":"not_found","message":"no such endpoint"}})");
  Result<HttpResponse> wrong = client.Request("DELETE", s.Url("/hello"));
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers.Get("Allow"), "GET, HEAD");
  EXPECT_EQ(s.handler_calls(), 0);
}

TEST(HttpsServerTest, ClientCertificateFromOurCaIsVisibleToHandler) {
  TestServer s;
  Result<HttpResponse> r = MakeClient(ClientCert::kOurs).Request("GET", s.Url("/whoami"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "device-1 chain=2");  // intermediate and root follow the leaf
  ASSERT_TRUE(Eventually([&] { return !s.logged().empty(); }));
  EXPECT_EQ(LastLogged(s).peer, "device-1");
}

TEST(HttpsServerTest, NoClientCertificateHandlerSeesNoneAndRefuses) {
  TestServer s;
  Result<HttpResponse> r = MakeClient(ClientCert::kNone).Request("GET", s.Url("/whoami"));
  ASSERT_TRUE(r.ok()) << r.status();  // TLS 1.3: the handshake itself succeeds
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("\"unauthenticated\""), std::string::npos);
  EXPECT_EQ(s.handler_calls(), 1);
}

TEST(HttpsServerTest, ForeignClientCertificateRefusedAtHandshake) {
  TestServer s;
  Result<HttpResponse> r = MakeClient(ClientCert::kForeign).Request("GET", s.Url("/whoami"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status();
  EXPECT_NE(r.status().message().find("alert"), std::string::npos) << r.status();
  EXPECT_EQ(s.handler_calls(), 0);
  // The server is unaffected.
  Result<HttpResponse> ok = MakeClient(ClientCert::kOurs).Request("GET", s.Url("/whoami"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpsServerTest, BodyOverLimitGets413AndServerKeepsServing) {
  TestServer s;
  HttpsClient client = MakeClient();
  Result<HttpResponse> big = client.Request("POST", s.Url("/echo"), std::string(1 << 20, 'a'));
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->body,
            R"({"error":{"code":"payload_too_large","message":"the request body is larger )"
            R"(than 65536 bytes"}})");
  EXPECT_EQ(big->headers.Get("Connection"), "close");
  EXPECT_EQ(s.handler_calls(), 0);
  ASSERT_TRUE(Eventually([&] { return !s.logged().empty(); }));
  EXPECT_EQ(LastLogged(s).status, 413);
  EXPECT_EQ(LastLogged(s).error, "body too large");
  EXPECT_EQ(LastLogged(s).method, "POST");

  // Exactly at the limit is accepted.
  Result<HttpResponse> fits = client.Request("POST", s.Url("/echo"), std::string(65536, 'b'));
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body.size(), 65536u);
}

TEST(HttpsServerTest, PerPathBodyLimitRaisesTheLimitForThatPathOnly) {
  TestServer s([](HttpsServerOptions& o) { o.path_body_limits = {{"/echo", 256 * 1024}}; });
  HttpsClient client = MakeClient();
  // The path's own limit, exactly, and with a query string.
  Result<HttpResponse> fits = client.Request("POST", s.Url("/echo"), std::string(256 * 1024, 'a'));
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body.size(), 256u * 1024);
  Result<HttpResponse> query =
      client.Request("POST", s.Url("/echo?x=1"), std::string(100 * 1024, 'b'));
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->status, 200);

  // One byte over the path's limit: 413 naming that limit, the handler never runs.
  const int calls = s.handler_calls();
  Result<HttpResponse> over =
      MakeClient().Request("POST", s.Url("/echo"), std::string(256 * 1024 + 1, 'c'));
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->status, 413);
  EXPECT_NE(over->body.find("larger than 262144 bytes"), std::string::npos) << over->body;

  // Other paths (also a prefix match of it) keep the default 64 KiB.
  for (const char* path : {"/hello", "/echo/", "/ech"}) {
    Result<HttpResponse> other =
        MakeClient().Request("POST", s.Url(path), std::string(100 * 1024, 'd'));
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_EQ(other->status, 413) << path;
    EXPECT_NE(other->body.find("larger than 65536 bytes"), std::string::npos) << other->body;
  }
  EXPECT_EQ(s.handler_calls(), calls);
}

TEST(HttpsServerTest, HandlersRunOffTheIoThread) {
  // One I/O thread: if handlers ran on it, /hello could not be served while /block waits.
  TestServer s([](HttpsServerOptions& o) {
    o.io_threads = 1;
    o.worker_threads = 2;
  });
  HttpsClient client = MakeClient();
  auto blocked =
      std::async(std::launch::async, [&] { return client.Request("GET", s.Url("/block")); });
  ASSERT_TRUE(s.WaitBlocked());
  Result<HttpResponse> quick = client.Request("GET", s.Url("/hello"));
  ASSERT_TRUE(quick.ok()) << quick.status();
  EXPECT_EQ(quick->status, 200);
  s.Release();
  Result<HttpResponse> slow = blocked.get();
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(slow->body, "released");
}

TEST(HttpsServerTest, HandlerThatThrowsOrReturnsBadHeaderGets500) {
  TestServer s;
  HttpsClient client = MakeClient();
  for (const char* path : {"/throw", "/badheader"}) {
    Result<HttpResponse> r = client.Request("GET", s.Url(path));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_FALSE(r->headers.Has("Injected"));
    EXPECT_EQ(r->body, R"({"error":{"code":"internal","message":"internal error"}})");
  }
  EXPECT_EQ(client.Request("GET", s.Url("/hello"))->status, 200);
}

TEST(HttpsServerTest, StopFinishesInFlightRequest) {
  TestServer s;
  HttpsClient client = MakeClient();
  auto in_flight =
      std::async(std::launch::async, [&] { return client.Request("GET", s.Url("/block")); });
  ASSERT_TRUE(s.WaitBlocked());
  auto stopped = std::async(std::launch::async, [&] { s.server().Stop(std::chrono::seconds(20)); });
  // Once new connections are refused, Stop is under way; only then let the handler finish.
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = client.Request("GET", s.Url("/hello"));
    return !r.ok() && r.status().message().find("connection refused") != std::string::npos;
  }));
  s.Release();
  Result<HttpResponse> r = in_flight.get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "released");
  EXPECT_EQ(r->headers.Get("Connection"), "close");
  stopped.get();
}

TEST(HttpsServerTest, StopDeadlineClosesStuckConnections) {
  TestServer s;
  HttpsClient client = MakeClient();
  auto stuck =
      std::async(std::launch::async, [&] { return client.Request("GET", s.Url("/block")); });
  ASSERT_TRUE(s.WaitBlocked());
  auto stopped =
      std::async(std::launch::async, [&] { s.server().Stop(std::chrono::milliseconds(100)); });
  // The client is cut off at the deadline while the handler is still blocked...
  Result<HttpResponse> r = stuck.get();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status();
  // ...and Stop returns once the handler does.
  s.Release();
  stopped.get();
}

TEST(HttpsServerTest, SigtermStopsTheServer) {
  TestServer s;
  s.server().StopOnSignals({SIGTERM});
  ASSERT_EQ(MakeClient().Request("GET", s.Url("/hello"))->status, 200);
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  s.server().Wait();
  Result<HttpResponse> r = MakeClient().Request("GET", s.Url("/hello"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("connection refused"), std::string::npos) << r.status();
}

TEST(HttpsServerTest, PortInUseFailsToStart) {
  TestServer first;
  HttpsServerOptions o;
  o.ssl_context = testing::ServerContext();
  o.port = first.port();
  HttpsServer second(std::move(o), [](HttpRequest&) { return HttpResponse(); });
  Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.1:"), std::string::npos) << s;
}

TEST(HttpsServerTest, StartsOnlyOnce) {
  TestServer s;
  EXPECT_EQ(s.server().Start().code(), StatusCode::kFailedPrecondition);
  s.server().Stop();
  EXPECT_EQ(s.server().Start().code(), StatusCode::kFailedPrecondition);
}

TEST(HttpsServerTest, RejectsBadOptions) {
  HttpsServerOptions no_tls;
  EXPECT_EQ(
      HttpsServer(std::move(no_tls), [](HttpRequest&) { return HttpResponse(); }).Start().code(),
      StatusCode::kInvalidArgument);
  HttpsServerOptions bad_address;
  bad_address.ssl_context = testing::ServerContext();
  bad_address.address = "not-an-ip";
  Status s =
      HttpsServer(std::move(bad_address), [](HttpRequest&) { return HttpResponse(); }).Start();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not-an-ip"), std::string::npos);
}

TEST(HttpsServerTest, ConnectionLimitClosesExtraConnections) {
  TestServer s([](HttpsServerOptions& o) { o.max_connections = 1; });
  HttpsClient client = MakeClient();
  auto held =
      std::async(std::launch::async, [&] { return client.Request("GET", s.Url("/block")); });
  ASSERT_TRUE(s.WaitBlocked());
  Result<HttpResponse> extra = client.Request("GET", s.Url("/hello"));
  EXPECT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().code(), StatusCode::kUnavailable) << extra.status();
  s.Release();
  ASSERT_TRUE(held.get().ok());
  // Below the limit again.
  ASSERT_TRUE(Eventually([&] {
    Result<HttpResponse> r = client.Request("GET", s.Url("/hello"));
    return r.ok() && r->status == 200;
  }));
}

TEST(HttpsServerTest, NewSslContextServesNewConnections) {
  TestServer s;
  HttpsClient ours = MakeClient(ClientCert::kNone, "root.crt");
  HttpsClient foreign = MakeClient(ClientCert::kNone, "foreign.crt");
  ASSERT_TRUE(ours.Request("GET", s.Url("/hello")).ok());
  ASSERT_FALSE(foreign.Request("GET", s.Url("/hello")).ok());
  s.server().SetSslContext(testing::ServerContext("fserver.crt", "fserver.key"));
  Result<HttpResponse> now_foreign = foreign.Request("GET", s.Url("/hello"));
  ASSERT_TRUE(now_foreign.ok()) << now_foreign.status();
  EXPECT_FALSE(ours.Request("GET", s.Url("/hello")).ok());
}

}  // namespace
}  // namespace wott::net
