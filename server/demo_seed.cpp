// demo_seed.cpp: demo agents, reason codes and queues (see demo_seed.h).
#include "demo_seed.h"

#include "auth.h"

namespace sbd {

sb::Result<bool> seed_demo_data(Store& store, int64_t now) {
    auto any = store.has_agents();
    if (!any) return any.error();
    if (any.value()) return false;

    struct DemoAgent { const char* username; const char* display_name; };
    const DemoAgent agents[] = {{"alice", "Alice Moreau"}, {"bob", "Bob Okafor"}, {"carol", "Carol Nguyen"}};
    for (const DemoAgent& a : agents) {
        auto hash = hash_password("switchboard");
        if (!hash) return hash.error();
        if (auto st = store.add_agent(a.username, a.display_name, hash.value(), now); !st) return st.error();
    }

    const std::pair<const char*, const char*> reasons[] = {
        {"break", "Break"}, {"lunch", "Lunch"},       {"training", "Training"},
        {"meeting", "Meeting"}, {"coaching", "Coaching"}, {"admin", "Admin work"}};
    int64_t position = 0;
    for (const auto& [code, label] : reasons)
        if (auto st = store.add_reason_code(code, label, position++); !st) return st.error();

    if (auto st = store.add_queue("support", "7001"); !st) return st.error();
    if (auto st = store.add_queue("sales", "7002"); !st) return st.error();
    return true;
}

}  // namespace sbd
