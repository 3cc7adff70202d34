// The desk protocol: request validation (every malformed input gets its code), reply and event
// frames, and agreement between the core's request table and docs/protocol.schema.json.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "agent/presence.h"
#include "protocol/schema.h"

using namespace sb;
using nlohmann::json;

namespace {
std::string code_of(std::string_view frame, json* id = nullptr) {
    protocol::RequestError detail;
    auto r = protocol::parse_request(frame, &detail);
    if (r) return "ok";
    CHECK(r.error().code == detail.error.code);
    CHECK_FALSE(r.error().message.empty());
    if (id) *id = detail.id;
    return r.error().code;
}
}  // namespace

TEST_CASE("valid requests of every type are accepted") {
    for (const char* f : {R"({"type":"hello","id":"1","versions":[1,2],"client":"x"})",
                          R"({"type":"login","id":"a","username":"alice","password":"p"})",
                          R"({"type":"resume","id":"b","token":"t","last_seq":0})",
                          R"({"type":"set_state","id":"c","state":"not_ready","reason":"lunch"})",
                          R"({"type":"set_state","id":"c","state":"available"})",
                          R"({"type":"get_reason_codes","id":"d"})", R"({"type":"logout","id":"e"})",
                          R"({"type":"ping","id":"f"})"})
        CHECK_MESSAGE(code_of(f) == "ok", f);
    auto r = protocol::parse_request(R"({"type":"login","id":"a","username":"alice","password":"p"})");
    REQUIRE(r);
    CHECK(r.value().type == "login");
    CHECK(r.value().id == "a");
    CHECK(r.value().body["username"] == "alice");
}

TEST_CASE("malformed requests get a clear code, with the id when it could be read") {
    json id;
    CHECK(code_of("not json", &id) == "bad_json");
    CHECK(id.is_null());
    CHECK(code_of("[1]") == "bad_json");
    CHECK(code_of("\"str\"") == "bad_json");
    CHECK(code_of("{\"type\":\"ping\",\"id\":\"\xc3\x28\"}") == "bad_json");  // invalid UTF-8
    CHECK(code_of(R"({"type":"ping"})") == "bad_message");
    CHECK(code_of(R"({"type":"ping","id":7})") == "bad_message");
    CHECK(code_of(R"({"type":"ping","id":""})") == "bad_message");
    CHECK(code_of("{\"type\":\"ping\",\"id\":\"" + std::string(65, 'x') + "\"}") == "bad_message");
    CHECK(code_of(R"({"type":"fly","id":"9"})", &id) == "unknown_type");
    CHECK(id == "9");
    CHECK(code_of(R"({"id":"9"})", &id) == "bad_message");
    CHECK(id == "9");
    CHECK(code_of(R"({"type":"login","id":"2","username":"a"})", &id) == "bad_message");
    CHECK(id == "2");
    CHECK(code_of(R"({"type":"login","id":"2","username":"a","password":5})") == "bad_message");
    CHECK(code_of(R"({"type":"login","id":"2","username":"a","password":"p","admin":true})") == "bad_message");
    CHECK(code_of(R"({"type":"resume","id":"3","token":"t","last_seq":-1})") == "bad_message");
    CHECK(code_of(R"({"type":"resume","id":"3","token":"t","last_seq":1.5})") == "bad_message");
    CHECK(code_of(R"({"type":"hello","id":"4","versions":[],"client":"x"})") == "bad_message");
    CHECK(code_of(R"({"type":"hello","id":"4","versions":["1"],"client":"x"})") == "bad_message");
    std::string big = R"({"type":"ping","id":"5","pad":")" + std::string(70'000, 'x') + "\"}";
    CHECK(code_of(big) == "frame_too_large");
    std::string deep(60'000, '[');
    CHECK(code_of(deep) == "bad_json");
}

TEST_CASE("the message names the offending field") {
    auto r = protocol::parse_request(R"({"type":"login","id":"2","username":"a","password":5})");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("password") != std::string::npos);
}

TEST_CASE("reply and event frames") {
    json ok = protocol::reply_ok("7", {{"now", 1}});
    CHECK(ok == json::parse(R"({"type":"reply","id":"7","ok":true,"result":{"now":1}})"));
    Error e = make_error("rate_limited", "Slow down.");
    e.retry_after_ms = 1500;
    json err = protocol::reply_error(nullptr, e);
    CHECK(err["id"].is_null());
    CHECK(err["error"]["retry_after_ms"] == 1500);
    CHECK(err["ok"] == false);
    json ev = protocol::event_frame(3, "agent.state", {{"x", 1}});
    CHECK(ev["seq"] == 3);
    CHECK(ev["event"] == "agent.state");
}

TEST_CASE("agent and reason codes round-trip and reject malformed input") {
    agent::AgentSnapshot a{"alice", "Alice", agent::Presence::NotReady, "lunch", 123};
    auto back = agent::agent_from_json(agent::to_json(a));
    REQUIRE(back);
    CHECK(back.value() == a);
    agent::AgentSnapshot b{"bob", "Bob", agent::Presence::Available, "", 5};
    CHECK(agent::to_json(b)["reason"].is_null());
    CHECK(agent::agent_from_json(agent::to_json(b)).value() == b);
    CHECK_FALSE(agent::agent_from_json(json::array()));
    CHECK_FALSE(agent::agent_from_json(json{{"username", "a"}, {"display_name", "A"}, {"state", "asleep"}, {"state_since", 1}}));
    CHECK_FALSE(agent::agent_from_json(json{{"username", "a"}, {"display_name", "A"}, {"state", "offline"}}));
    CHECK_FALSE(agent::agent_from_json(json{{"username", "a"}, {"display_name", "A"}, {"state", "offline"}, {"reason", 3}, {"state_since", 1}}));
    CHECK(agent::reason_codes_from_json(json::parse(R"([{"code":"a","label":"A"}])")).value().size() == 1);
    CHECK_FALSE(agent::reason_codes_from_json(json::parse(R"([{"code":"a"}])")));
    CHECK_FALSE(agent::reason_codes_from_json(json::object()));
}

TEST_CASE("presence change rule") {
    std::vector<agent::ReasonCode> codes{{"break", "Break"}};
    using agent::Presence;
    CHECK(agent::check_presence_change(Presence::Available, std::nullopt, codes));
    CHECK(agent::check_presence_change(Presence::Offline, std::nullopt, codes));
    CHECK(agent::check_presence_change(Presence::NotReady, std::string("break"), codes));
    CHECK(agent::check_presence_change(Presence::NotReady, std::nullopt, codes).error().code == "invalid_reason");
    CHECK(agent::check_presence_change(Presence::NotReady, std::string(""), codes).error().code == "invalid_reason");
    CHECK(agent::check_presence_change(Presence::NotReady, std::string("nap"), codes).error().code == "invalid_reason");
    CHECK(agent::check_presence_change(Presence::Available, std::string("break"), codes).error().code == "invalid_reason");
    CHECK(agent::parse_presence("not_ready") == Presence::NotReady);
    CHECK(agent::reason_label(codes, "break") == "Break");
    CHECK(agent::reason_label(codes, agent::kMissedReason) == "Missed offer");
    CHECK(agent::reason_label(codes, "other") == "other");
    CHECK_FALSE(agent::parse_presence("Available"));
}

TEST_CASE("the request table agrees with docs/protocol.schema.json") {
    std::ifstream in(SB_SOURCE_DIR "/docs/protocol.schema.json");
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    json schema = json::parse(ss.str(), nullptr, false);
    REQUIRE_FALSE(schema.is_discarded());
    const json& defs = schema["$defs"];

    std::set<std::string> table_types, schema_types;
    for (const auto& spec : protocol::request_specs()) {
        std::string type(spec.type);
        table_types.insert(type);
        INFO("request " << type);
        REQUIRE(defs.contains(type));
        const json& d = defs[type];
        std::set<std::string> required(d["required"].begin(), d["required"].end());
        std::set<std::string> props;
        for (auto it = d["properties"].begin(); it != d["properties"].end(); ++it) props.insert(it.key());
        std::set<std::string> want_required{"type", "id"}, want_props{"type", "id"};
        for (const auto& f : spec.fields) {
            want_props.insert(std::string(f.name));
            if (f.required) want_required.insert(std::string(f.name));
        }
        CHECK(required == want_required);
        CHECK(props == want_props);
        CHECK(d["additionalProperties"] == false);
        CHECK(schema["results"].contains(type));
    }
    for (const auto& alt : defs["request"]["oneOf"]) {
        std::string ref = alt["$ref"];
        schema_types.insert(ref.substr(ref.rfind('/') + 1));
    }
    CHECK(table_types == schema_types);

    std::set<std::string> codes(protocol::error_codes().begin(), protocol::error_codes().end());
    std::set<std::string> schema_codes(defs["error"]["properties"]["code"]["enum"].begin(),
                                       defs["error"]["properties"]["code"]["enum"].end());
    CHECK(codes == schema_codes);
}

TEST_CASE("a paged request's limit: the fallback when absent, 1 to max, else bad_message; one row more means more") {
    using sb::protocol::page_limit;
    using sb::protocol::trim_page;
    CHECK(page_limit(json::object(), 50, 100).value() == 50);
    CHECK(page_limit(json{{"limit", 1}}, 50, 100).value() == 1);
    CHECK(page_limit(json{{"limit", 100}}, 50, 100).value() == 100);
    for (json bad : {json{{"limit", 0}}, json{{"limit", 101}}, json{{"limit", 18446744073709551615ull}}}) {
        auto r = page_limit(bad, 50, 100);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == sb::protocol::code::bad_message);
        CHECK(r.error().message == "limit must be 1 to 100.");
    }
    std::vector<int> rows = {1, 2, 3};
    CHECK_FALSE(trim_page(rows, 3));
    CHECK(rows.size() == 3);
    CHECK(trim_page(rows, 2));
    CHECK(rows == std::vector<int>{1, 2});
}
