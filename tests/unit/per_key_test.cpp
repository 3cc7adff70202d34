// shell/per_key.h: the shell's per-contact and per-call memory is made on first use and dropped
// only by prune(), for keys no longer live, each dropped entry seen once before it goes.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "shell/per_key.h"

using sb::shell::PerKey;

namespace {
struct PanelDraft {
    std::string text;
    int edits = 0;
};
}  // namespace

TEST_CASE("PerKey: at() makes a value-initialised entry once and returns the same one after") {
    PerKey<std::string, PanelDraft> m;
    CHECK(m.empty());
    PanelDraft& a = m.at("c1");
    CHECK(a.text.empty());
    CHECK(a.edits == 0);
    a.text = "hello";
    ++a.edits;
    CHECK(&m.at("c1") == &a);
    CHECK(m.at("c1").text == "hello");
    CHECK(m.size() == 1);

    PerKey<uint32_t, int64_t> calls;
    CHECK(calls.at(7) == 0);  // scalars start at zero, not garbage
}

TEST_CASE("PerKey: at(key, init) runs init on a new entry only") {
    PerKey<std::string, PanelDraft> m;
    int inits = 0;
    auto from_saved = [&](PanelDraft& d) {
        ++inits;
        d.text = "saved draft";
    };
    PanelDraft& d = m.at("c1", from_saved);
    CHECK(d.text == "saved draft");
    d.text = "typed since";
    CHECK(m.at("c1", from_saved).text == "typed since");  // the agent's text is not reset
    CHECK(inits == 1);
}

TEST_CASE("PerKey: find() never makes an entry") {
    PerKey<std::string, PanelDraft> m;
    CHECK(m.find("c1") == nullptr);
    CHECK(m.empty());
    m.at("c1").text = "x";
    REQUIRE(m.find("c1") != nullptr);
    CHECK(m.find("c1")->text == "x");
    const auto& cm = m;
    REQUIRE(cm.find("c1") != nullptr);
    CHECK(cm.find("c2") == nullptr);
}

TEST_CASE("PerKey: prune() keeps live keys and drops the rest, with their values") {
    PerKey<std::string, PanelDraft> m;
    for (const char* id : {"a", "b", "c", "d"}) m.at(id).text = std::string("text of ") + id;
    const std::set<std::string> live = {"b", "d", "not remembered"};
    m.prune([&](const std::string& id) { return live.count(id) > 0; });
    CHECK(m.size() == 2);
    CHECK(m.find("a") == nullptr);
    CHECK(m.find("c") == nullptr);
    REQUIRE(m.find("b") != nullptr);
    CHECK(m.find("b")->text == "text of b");
    CHECK(m.find("not remembered") == nullptr);  // pruning makes nothing

    // A key that comes back starts afresh.
    CHECK(m.at("a").text.empty());

    m.prune([](const std::string&) { return false; });
    CHECK(m.empty());
}

TEST_CASE("PerKey: prune() shows each dropped entry to on_drop before it goes") {
    PerKey<uint32_t, std::string> m;
    m.at(1) = "1111";
    m.at(2) = "2222";
    m.at(3) = "3333";
    std::vector<uint32_t> dropped;
    m.prune([](uint32_t id) { return id == 2; },
            [&](uint32_t id, std::string& v) {
                dropped.push_back(id);
                CHECK(v == std::string(4, static_cast<char>('0' + id)));  // still intact when seen
                v.assign(v.size(), '\0');
            });
    CHECK(dropped == std::vector<uint32_t>{1, 3});  // in key order, each once
    CHECK(m.size() == 1);
    CHECK(*m.find(2) == "2222");  // kept entries are not shown to on_drop
}

TEST_CASE("PerKey: iteration is in key order and can change values in place") {
    PerKey<std::string, int> m;
    m.at("b") = 2;
    m.at("a") = 1;
    m.at("c") = 3;
    std::string order;
    for (auto& [k, v] : m) {
        order += k;
        v *= 10;
    }
    CHECK(order == "abc");
    CHECK(*m.find("c") == 30);
    m.clear();
    CHECK(m.begin() == m.end());
}
