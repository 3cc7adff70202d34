// desk_versions.cpp: what differs between the desk protocol's versions on the wire
// (docs/protocol.md, "Version negotiation").
//
// The server builds, stores (the event log) and sends version 3: a contact object carries
// `message_count` and `last_message`, never the transcript, which a desk pages with
// get_messages; a session lists no agents, whom a desk finds by name (`agents`). A connection
// that chose version 2 or 1 gets every session with the list of all agents added as `agents`;
// one that chose version 1 also gets every contact object (contact.offered, contact.updated, a
// session's contacts, a reply's contact) with the transcript as it now stands added as
// `messages`, as version 1 defined it. That costs what those versions always cost, and only the
// desks that ask for them pay. (Events are the same in versions 2 and 3.)
#include "server/contacts/contact_json.h"
#include "server/desk/desk_service.h"

namespace sbd {

using json = nlohmann::json;

namespace {
bool carries_contact(const std::string& event) { return event == "contact.offered" || event == "contact.updated"; }
}  // namespace

json DeskService::contact_for(int version, json contact) {
    if (!contact.is_object()) return contact;
    auto messages = contact.find("messages");
    if (version >= 2) {
        // An event recorded by a server before version 2 still holds its transcript.
        if (messages == contact.end()) return contact;
        if (!contact.contains("message_count")) {
            const json& list = *messages;
            size_t count = list.is_array() ? list.size() : 0;
            json last = nullptr;
            if (count > 0 && list.back().is_object())
                if (auto id = list.back().find("id"); id != list.back().end() && id->is_string())
                    last = {{"id", *id}, {"seq", count}};
            contact["message_count"] = count;
            contact["last_message"] = std::move(last);
        }
        contact.erase("messages");
        return contact;
    }
    if (messages != contact.end()) return contact;
    json transcript = json::array();
    auto id = contact.find("id");
    if (id != contact.end() && id->is_string()) {
        auto stored = d_.contacts.transcript(id->get<std::string>());
        if (stored) {
            for (const MessageRecord& m : stored.value()) transcript.push_back(message_json(m));
        } else {
            d_.log.error("transcript not read for a version 1 desk", {{"contact", *id}, {"error", stored.error().message}});
        }
    }
    contact["messages"] = std::move(transcript);
    return contact;
}

void DeskService::result_for(int version, json& result) {
    if (version >= 3 || !result.is_object()) return;
    // A session (login, resume, a second factor's last step): the whole list of agents.
    if (result.contains("token") && result.contains("canned_responses") && !result.contains("agents")) {
        auto list = d_.store.list_agents();
        if (list) {
            json agents = json::array();
            for (const auto& a : list.value()) agents.push_back(agent_summary_json(a));
            result["agents"] = std::move(agents);
        } else {
            d_.log.error("agents not listed for a version 2 desk", {{"error", list.error().message}});
        }
    }
    if (version >= 2) return;
    if (auto c = result.find("contact"); c != result.end() && c->is_object()) *c = contact_for(version, std::move(*c));
    if (auto list = result.find("contacts"); list != result.end() && list->is_array())
        for (json& c : *list) c = contact_for(version, std::move(c));
}

std::string DeskService::event_text(int version, int64_t seq, const std::string& event, const json& data) {
    bool as_is = !carries_contact(event) || (version >= 2 && !data.contains("messages"));
    return sb::protocol::to_text(sb::protocol::event_frame(seq, event, as_is ? data : contact_for(version, data)));
}

}  // namespace sbd
