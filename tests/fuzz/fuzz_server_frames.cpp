// fuzz_server_frames: any bytes as the frames one client sends over switchboardd's WebSockets, in
// process, through the same handlers the sockets call (FrameHandler::on_message): the desk
// protocol before sign-in, the desk protocol signed in as an agent (a resumed session), and the
// customers' chat (docs/protocol.md, docs/chat-protocol.md). Behind them is a real server stack:
// SQLite with the demo data, contacts and routing, verification, payments.
//
// Input: one byte choosing the client (0 anonymous desk, 1 signed-in desk, 2 chat), then frames
// separated by '\n'. Invariants: no crash, no sanitizer report and no exception out of a handler
// (the socket layer would turn one into an `internal` error: here it is a finding); every frame
// the server sends parses as JSON; and afterwards the desk still answers a ping on the same
// connection (a frame never wedges a connection).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/accounts/auth.h"
#include "server/channels/chat_service.h"
#include "server/desk/desk_service.h"
#include "server_stack.h"

namespace {

using nlohmann::json;

[[noreturn]] void broken(const char* what, const std::string& detail) {
    std::fprintf(stderr, "fuzz_server_frames: %s: %s\n", what, detail.substr(0, 400).c_str());
    std::abort();
}

// Where the handlers' frames go: kept per connection, each checked as it is sent.
struct Frames : sbd::DeskOutput {
    sbd::ConnectionId watched = 0;
    std::vector<std::string> sent;  // to `watched`
    void send(sbd::ConnectionId id, std::string frame) override {
        if (!json::accept(frame)) broken("a frame that does not parse", frame);
        if (id == watched) sent.push_back(std::move(frame));
    }
};

struct Stack : sbfuzz::ServerStack {
    std::unique_ptr<sbd::LoginRateLimit> rate_limit;
    sbd::PasswordVerifier passwords;
    Frames out;
    std::unique_ptr<sbd::DeskService> desk;
    std::unique_ptr<sbd::ChatService> chat;
    sbd::ConnectionId next_id = 1000;
    uint32_t inputs = 0;
    std::string token;  // alice's session, resumed by the signed-in desk

    Stack() : ServerStack("frames") {
        rate_limit = std::make_unique<sbd::LoginRateLimit>(*store, sbd::LoginLimits{});
        sbd::DeskConfig config;
        config.mfa.policy = sbd::MfaPolicy::Off;  // the password alone signs in: the fuzzer gets past it
        desk = std::make_unique<sbd::DeskService>(
            sbd::DeskService::Deps{*store, *contacts, *rate_limit, passwords, out, log, sbfuzz::now_ms}, config);
        desk->set_audit(audit.get());
        desk->set_payments(payments.get());
        chat = std::make_unique<sbd::ChatService>(*contacts, out, log);
    }

    // One request on a connection of `handler`; the reply to it (by id), or null.
    json request(sbd::FrameHandler& handler, sbd::ConnectionId id, const json& frame) {
        std::size_t before = out.sent.size();
        handler.on_message(id, frame.dump(), true);
        io.poll();
        for (std::size_t i = before; i < out.sent.size(); ++i) {
            json f = json::parse(out.sent[i]);
            if (f.value("type", "") == "reply" && f.value("id", "") == frame.value("id", "")) return f;
        }
        return nullptr;
    }

    // A desk connection signed in as alice: the session resumed, or (the fuzzer logged it out or
    // revoked it in an earlier input) a new one.
    bool sign_in(sbd::ConnectionId id) {
        json hello{{"type", "hello"}, {"id", "fz-h"}, {"versions", {1}}, {"client", "fuzz"}};
        if (json r = request(*desk, id, hello); r.is_null() || !r.value("ok", false)) return false;
        if (!token.empty()) {
            json r = request(*desk, id, {{"type", "resume"}, {"id", "fz-r"}, {"token", token}, {"last_seq", 0}});
            if (!r.is_null() && r.value("ok", false)) return true;
        }
        json r = request(*desk, id, {{"type", "login"}, {"id", "fz-l"}, {"username", "alice"}, {"password", "switchboard"}});
        if (r.is_null() || !r.value("ok", false)) return false;  // locked by an earlier input's guesses
        token = r["result"].value("token", "");
        return true;
    }
};

Stack& stack() {
    static Stack s;
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    Stack& s = stack();
    const int client = data[0] % 3;
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    sbd::FrameHandler& handler = client == 2 ? static_cast<sbd::FrameHandler&>(*s.chat) : *s.desk;
    const sbd::ConnectionId id = ++s.next_id;
    // Each input from an address of its own, so that the per-address limits do not end the search.
    ++s.inputs;
    std::string address = "10." + std::to_string((s.inputs >> 16) & 255) + "." + std::to_string((s.inputs >> 8) & 255) +
                          "." + std::to_string(s.inputs & 255);
    s.out.watched = id;
    s.out.sent.clear();
    handler.open(id, address);
    if (client == 1) s.sign_in(id);
    for (int frames = 0; frames < 32 && !rest.empty(); ++frames) {
        std::size_t end = rest.find('\n');
        std::string_view frame = rest.substr(0, end);
        handler.on_message(id, frame, true);
        s.io.poll();
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
    if (client != 2) {
        // Still serving this connection: a ping is answered (pong, or an error such as
        // hello_required), by id.
        json reply = s.request(handler, id, {{"type", "ping"}, {"id", "fz-alive"}});
        if (reply.is_null()) broken("no reply to a ping after the input", s.out.sent.empty() ? "" : s.out.sent.back());
    }
    handler.close(id);
    s.io.poll();
    return 0;
}
