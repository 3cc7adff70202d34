// frame_bench: CPU time of one UI frame of a heavy desk, natively (docs/PERFORMANCE.md, "frame
// cost").
//
//   frame_bench [FRAMES] [WxH] [HISTORY] [TRANSCRIPT]   prints one JSON object on stdout (last line)
//
// Defaults: 2000 frames at 1280x800, 10,000 history rows, a 500-message transcript (the figures
// of docs/PERFORMANCE.md); the last two let one see what each costs.
//
// The desk is the real one: a scripted backend (below) plays switchboardd's part against a real
// Desk — hello, login, going available — and the login brings 20 contacts on the desk (chats, SMS
// and calls; offered, active and in wrap-up), the first active chat with a 500-message
// transcript and a customer with 10,000 previous contacts. The UI is the real shell (sb_shell:
// App::frame, the same panels the web app draws) in a Dear ImGui context with no platform or
// renderer backend: the display size, the time step, the mouse are set by hand and the draw
// lists ImGui::Render produces are not sent anywhere.
//
// Each frame is timed with the thread's CPU clock from ImGui::NewFrame to ImGui::Render (the
// shell builds every panel and ImGui builds the draw lists). Between frames, outside the timing,
// the desk gets what a platform would give it: the shell's intents, the backend's replies, due
// timers, and now and then a customer typing or writing on another contact. The frames are not
// all alike: the agent scrolls the transcript and the customer's history with the wheel,
// switches to other contacts in the list by clicking them and back, and hovers over things.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "desk/desk.h"
#include "protocol/schema.h"
#include "shell/app.h"

using nlohmann::json;
using namespace sb::desk;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // simulated clock (ms); the backend's is the same
constexpr int kContacts = 20;
int kTranscript = 500;  // set from the command line
int kHistory = 10'000;
constexpr int64_t kFrameMs = 16;

double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// ---- the desk's content ------------------------------------------------------------------------
const char* const kFirst[] = {"Dana", "Priya", "Tomás", "Mei", "Olu", "Hannah", "Jonas", "Aisha", "Kenji", "Lucía"};
const char* const kLast[] = {"Whitfield", "Raman", "Ortega", "Chen", "Adeyemi", "Schulz", "Berg", "Khan", "Sato", "Morales"};
const char* const kCustomerLines[] = {
    "Hi, I was charged twice for last month, can you check order 12345?",
    "Thanks.",
    "The second charge shows as pending on my card but the first one went through on the 3rd, and now my "
    "banking app says I'm over my limit which is a real problem because rent goes out on Friday.",
    "Yes that's the one",
    "Can you also update the email on the account? The old one is from a job I left two years ago.",
    "ok",
    "I tried resetting the router like the article said, unplugged it for thirty seconds, but the light is "
    "still orange and nothing connects. My laptop sees the network but says no internet.",
    "How long will the refund take to show up?",
};
const char* const kAgentLines[] = {
    "Let me look at that for you, one moment please.",
    "I can see both charges. The second one is a pre-authorisation that will drop off within 3 to 5 working days; "
    "you won't be billed twice.",
    "Done — I've updated the email on your account. You'll get a confirmation there shortly.",
    "Could you confirm the postcode on the account?",
    "Thanks for waiting.",
    "I've raised a ticket with our network team (reference NT-48211) and they'll call you tomorrow morning.",
};
const char* const kNotes[] = {
    "",
    "Billing question; explained the charges.",
    "Double charge on order; refund issued, 3-5 days.",
    "Router orange light. Walked through a reset, escalated to network team (NT ticket). Customer asked for a "
    "call back in the morning, not before 9.",
    "Changed email address after verification.",
    "Wanted to cancel; offered the loyalty discount, accepted.",
};
const char* const kDispositions[] = {"resolved", "escalated", "follow_up", "refund", ""};
const char* const kQueues[] = {"support", "sales"};
const char* const kAgents[] = {"alice", "bob", "carol", "dave"};

json queues() {
    json disp = json::array({{{"code", "resolved"}, {"label", "Resolved"}},
                             {{"code", "escalated"}, {"label", "Escalated to tier 2"}},
                             {{"code", "follow_up"}, {"label", "Follow-up needed"}},
                             {{"code", "refund"}, {"label", "Refund issued"}}});
    return json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"}, {"dispositions", disp}},
                        {{"code", "sales"}, {"name", "Sales"}, {"number", "7002"}, {"dispositions", disp}}});
}

json history(int n, int64_t now) {
    json h = json::array();
    for (int i = 0; i < n; ++i) {
        const char* channel = i % 5 == 0 ? "voice" : i % 3 == 0 ? "sms" : "chat";
        // Spread over the years before now, not in order (the card sorts them).
        const int64_t at = now - 3'600'000LL * (1 + (int64_t(i) * 7919) % (24 * 365 * 4));
        h.push_back({{"contact", "old" + std::to_string(i)}, {"channel", channel}, {"at", at},
                     {"queue", kQueues[i % 2]}, {"disposition", kDispositions[i % 5]},
                     {"notes", kNotes[i % 6]}, {"agent", kAgents[i % 4]}});
    }
    return h;
}

json customer(int n, int history_rows, int64_t now) {
    json c = {{"id", "cu" + std::to_string(n)}, {"first_name", kFirst[n % 10]}, {"last_name", kLast[(n / 10 + n) % 10]},
              {"phone", "+1555010" + std::to_string(1000 + n)},
              {"chat_identity", std::string(kFirst[n % 10]) + std::to_string(n) + "@example.com"},
              {"email", std::string(kFirst[n % 10]) + "@example.com"},
              {"notes", n % 2 ? "Prefers email. Has two lines on the family plan." : ""},
              {"history", history(history_rows, now)}};
    c["sensitive"] = {{"unlocked", false},
                      {"accounts", json::array({{{"id", "AC-" + std::to_string(40000 + n)}, {"number", "•••• 4821"},
                                                 {"plan", "Family unlimited"}, {"status", "active"}}})},
                      {"date_of_birth", nullptr}, {"address", nullptr}, {"postcode", nullptr},
                      {"payment_methods", nullptr}};
    return c;
}

json message(const std::string& id, bool agent, const std::string& text, int64_t at) {
    return {{"id", id}, {"from", agent ? "agent" : "customer"}, {"text", text}, {"at", at},
            {"agent", agent ? json("alice") : json(nullptr)}, {"status", agent ? "delivered" : "sent"},
            {"segments", nullptr}};
}

// Contact n of the desk: 0 is the heavy one (an active chat, 500 messages, 10,000 previous
// contacts); the others a mix of chats, SMS and calls, offered, active or in wrap-up.
json contact(int n, int64_t now) {
    const bool heavy = n == 0;
    const char* channel = heavy ? "chat" : n % 6 == 1 ? "voice" : n % 3 == 0 ? "sms" : "chat";
    const char* state = heavy ? "active" : n >= kContacts - 2 ? "offered" : n % 7 == 3 ? "wrap_up" : "active";
    const int messages = heavy ? kTranscript : std::string(channel) == "voice" || std::string(state) == "offered" ? 0 : 4 + n * 3;
    const int64_t began = now - (heavy ? 40 * 3'600'000LL : (messages + 2) * 45'000LL);
    json msgs = json::array();
    for (int i = 0; i < messages; ++i) {
        const bool agent = (i % 3) == 1 || (i % 7) == 5;
        const char* text = agent ? kAgentLines[(i * 5 + n) % 6] : kCustomerLines[(i * 3 + n) % 8];
        // A long conversation over two days; the last few minutes apart.
        const int64_t at = began + int64_t(i) * (now - began - 60'000) / std::max(1, messages);
        msgs.push_back(message("m" + std::to_string(n) + "-" + std::to_string(i), agent, text, at));
    }
    if (heavy && messages >= 2)  // a note of the desk's halfway through
        msgs[messages / 2] = {{"id", "sys-1"}, {"from", "system"}, {"text", "Transferred from Bob"},
                              {"at", msgs[messages / 2 - 1]["at"]}, {"agent", nullptr}, {"status", "sent"}, {"segments", nullptr}};
    for (int i = 0; i < messages; ++i) msgs[i]["seq"] = i + 1;
    // The contact object counts its messages; the desk fetches them (get_messages, Backend::answer).
    json c = {{"id", "k" + std::to_string(n)}, {"channel", channel}, {"state", state}, {"queue", kQueues[n % 2]},
              {"customer", customer(n, heavy ? kHistory : n % 4 * 3, now)}, {"messages", msgs},
              {"created_at", began}, {"offer_expires_at", std::string(state) == "offered" ? json(now + 3'600'000) : json(nullptr)},
              {"accepted_at", std::string(state) == "offered" ? json(nullptr) : json(began + 5'000)},
              {"ended_at", std::string(state) == "wrap_up" ? json(now - 10'000) : json(nullptr)},
              {"ended_by", std::string(state) == "wrap_up" ? json("customer") : json(nullptr)},
              {"acw_expires_at", std::string(state) == "wrap_up" ? json(now + 3'600'000) : json(nullptr)},
              {"transfer", nullptr}, {"customer_typing", false}};
    if (std::string(channel) == "voice")
        c["call"] = {{"direction", n % 2 ? "inbound" : "outbound"}, {"number", "+1555010" + std::to_string(1000 + n)},
                     {"callback", std::string(state) == "active"}};
    return c;
}

// ---- the backend and the clock around one Desk -------------------------------------------------
class Backend {
public:
    int64_t now = kStart;
    size_t refused = 0;

    const DeskState& state() const { return desk_.state(); }

    void start() {
        feed(Start{"ws://backend/desk", 42, std::nullopt});
        feed(TransportOpened{});
        intent(LoginIntent{"alice", "switchboard"});
        intent(SetStateIntent{sb::agent::Presence::Available, std::nullopt});
    }
    void intent(Intent i) { feed(IntentReceived{intent_id_++, std::move(i)}); }
    void event(const std::string& name, json data) {
        feed(FrameReceived{sb::protocol::event_frame(++seq_, name, std::move(data)).dump()});
    }
    void fire_due_timers() {
        for (bool fired = true; fired;) {
            fired = false;
            for (auto [timer, at] : timers_)
                if (at <= now) {
                    timers_.erase(timer);
                    feed(TimerFired{timer});
                    fired = true;
                    break;
                }
        }
    }
    int next_message() { return ++message_id_; }
    // A new message of `contact`'s transcript: it takes the next seq.
    json said(const std::string& contact, json m) {
        json& list = transcripts_[contact];
        m["seq"] = list.size() + 1;
        list.push_back(m);
        return m;
    }

private:
    Desk desk_;
    std::map<TimerId, int64_t> timers_;
    int64_t seq_ = 3;
    uint64_t intent_id_ = 1;
    int message_id_ = 0;
    std::map<std::string, json> transcripts_;  // by contact: what get_messages pages

    void feed(Event e) {
        auto out = desk_.handle(now, e);
        for (auto& eff : out) {
            if (auto* t = std::get_if<StartTimer>(&eff)) timers_[t->timer] = now + t->delay_ms;
            else if (auto* c = std::get_if<CancelTimer>(&eff)) timers_.erase(c->timer);
            else if (auto* f = std::get_if<SendFrame>(&eff)) answer(json::parse(f->text));
            else if (auto* ci = std::get_if<CompleteIntent>(&eff); ci && ci->error) {
                if (refused++ == 0) std::fprintf(stderr, "frame_bench: the desk refused an intent: %s\n", ci->error->message.c_str());
            }
        }
    }
    void reply(const json& request, json result) {
        feed(FrameReceived{sb::protocol::reply_ok(request["id"].get<std::string>(), std::move(result)).dump()});
    }
    json agent_json(const std::string& state) const {
        return {{"username", "alice"}, {"display_name", "Alice Moreau"}, {"state", state}, {"reason", nullptr},
                {"state_since", kStart}};
    }
    void answer(const json& r) {
        const std::string type = r.value("type", "");
        if (type == "hello") return reply(r, {{"version", sb::protocol::kVersion}, {"server", "bench"}, {"now", now}, {"max_frame", 65536}});
        if (type == "login") {
            json contacts = json::array();
            for (int n = 0; n < kContacts; ++n) {
                json c = contact(n, now);
                json& list = transcripts_[c["id"].get<std::string>()] = std::move(c["messages"]);
                c.erase("messages");
                c["message_count"] = list.size();
                c["last_message"] = list.empty() ? json(nullptr) : json{{"id", list.back()["id"]}, {"seq", list.size()}};
                contacts.push_back(std::move(c));
            }
            json agents = json::array();
            for (const char* a : {"bob", "carol", "dave"})
                agents.push_back({{"username", a}, {"display_name", std::string(a) + " (team)"}, {"state", "available"}});
            return reply(r, {{"token", "tok-0123456789abcdef"}, {"expires_at", now + 12 * 3'600'000LL}, {"seq", seq_},
                             {"agent", agent_json("offline")},
                             {"reason_codes", json::array({{{"code", "break"}, {"label", "Break"}}, {{"code", "lunch"}, {"label", "Lunch"}}})},
                             {"contacts", contacts}, {"queues", queues()},
                             {"canned_responses", json::array({{{"id", "c1"}, {"title", "Greeting"}, {"text", "Hi, how can I help?"}},
                                                               {{"id", "c2"}, {"title", "Hold"}, {"text", "One moment please."}}})},
                             {"agents", agents}});
        }
        if (type == "set_state") return reply(r, {{"agent", agent_json(r["state"].get<std::string>())}});
        if (type == "ping") return reply(r, {{"now", now}});
        if (type == "get_messages") {
            const json& list = transcripts_[r["contact"].get<std::string>()];
            const size_t after = r.value("after", 0), limit = r.value("limit", 200);
            json page = json::array();
            for (size_t i = after; i < list.size() && page.size() < limit; ++i) page.push_back(list[i]);
            return reply(r, {{"messages", page}, {"more", after + page.size() < list.size()}});
        }
        if (type == "send_message") {
            json m = said(r["contact"], message("m" + std::to_string(next_message()), true, r["text"], now));
            m["client_id"] = r["client_id"];
            reply(r, {{"message", m}});
            return event("contact.message", {{"contact", r["contact"]}, {"message", m}});
        }
        reply(r, json::object());  // typing, mark read, drafts and anything else
    }
};

// The shell's intents go to the desk after the frame, as the runtime would deliver them.
struct QueueSink : sb::shell::IntentSink {
    std::vector<Intent> intents;
    void dispatch(Intent i) override { intents.push_back(std::move(i)); }
};

// ---- reading the UI back (to aim the mouse) ----------------------------------------------------
ImGuiWindow* window_named(const char* suffix) {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    for (ImGuiWindow* w : g.Windows)
        if (w->Active || w->WasActive) {
            const std::string name = w->Name;
            if (name.size() >= std::strlen(suffix) && name.find(suffix) != std::string::npos) return w;
        }
    return nullptr;
}

std::vector<const sb::contact::Contact*> listed(const DeskState& s) {
    std::vector<const sb::contact::Contact*> out;
    for (const auto& c : s.contacts)
        if (c.state == sb::contact::ContactState::Active || c.state == sb::contact::ContactState::WrapUp) out.push_back(&c);
    return out;
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

}  // namespace

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::max(100, std::atoi(argv[1])) : 2000;
    int width = 1280, height = 800;
    if (argc > 2) std::sscanf(argv[2], "%dx%d", &width, &height);
    if (argc > 3) kHistory = std::max(0, std::atoi(argv[3]));
    if (argc > 4) kTranscript = std::max(0, std::atoi(argv[4]));

    Backend backend;
    backend.start();
    const DeskState& s = backend.state();
    const auto heavy = find_contact(s, "k0");
    if (backend.refused || s.session != SessionState::LoggedIn || s.contacts.size() != size_t(kContacts) || !heavy ||
        heavy->messages.size() != size_t(kTranscript) || heavy->customer.history.size() != size_t(kHistory)) {
        std::fprintf(stderr, "frame_bench: the desk is not the heavy desk (session %d, %zu contacts)\n", int(s.session),
                     s.contacts.size());
        return 1;
    }

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(float(width), float(height));
    io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
    io.DeltaTime = float(kFrameMs) / 1000.0f;
    sb::shell::App app;
    // A renderer that takes ImGui 1.92's texture updates (as the OpenGL 3 backend does), minus
    // the GPU: glyphs are baked on demand, as in the browser.
    io.BackendFlags |= ImGuiBackendFlags_RendererHasTextures;
    app.setup_style({SB_FONT_DIR "/Inter-Regular.otf", SB_FONT_DIR "/Inter-SemiBold.otf"});
    auto upload_textures = [] {
        for (ImTextureData* t : ImGui::GetPlatformIO().Textures) {
            if (t->Status == ImTextureStatus_WantCreate || t->Status == ImTextureStatus_WantUpdates) {
                t->SetTexID(static_cast<ImTextureID>(intptr_t(1)));
                t->SetStatus(ImTextureStatus_OK);
            } else if (t->Status == ImTextureStatus_WantDestroy) {
                t->SetTexID(ImTextureID_Invalid);
                t->SetStatus(ImTextureStatus_Destroyed);
            }
        }
    };

    QueueSink sink;
    // Where things are on screen, after the first frame (app.cpp's layout, read back from ImGui).
    auto centre = [](ImGuiWindow* w) { return w ? ImVec2(w->Pos.x + w->Size.x * 0.5f, w->Pos.y + w->Size.y * 0.5f) : ImVec2(-1, -1); };

    const int warmup = 200;
    const int cycle = 200;
    std::vector<double> times, heavy_times;
    times.reserve(size_t(frames));
    size_t vertices = 0, clicks = 0, clicks_landed = 0;
    int light_pick = 0;
    ImGuiID pending_click = 0;
    int press = 0;  // 2: the button goes down this frame, 1: it comes up
    ImVec2 click_at(-1, -1);
    float scrolled_transcript = 0.0f, scrolled_history = 0.0f;  // how far the wheel moved them (a check)
    std::string selected = "k0", clicked;  // the contact on screen (the app picks k0 first), the one clicked

    for (int f = 0; f < warmup + frames; ++f) {
        const int k = f % cycle;
        // ---- input for this frame (what a platform backend would set) ----
        // Input goes through ImGui's event queue, as a platform backend's does.
        ImVec2 pos = io.MousePos;
        float wheel = 0.0f;
        int button = -1;  // 1: the left button goes down this frame, 0: it comes up
        ImGuiWindow* transcript = window_named("##transcript");
        ImGuiWindow* history = window_named("##customer_body");
        ImGuiWindow* rows = window_named("##contact_rows");
        if (press > 0) {  // the button goes down over the row, and up the next frame: a click
            pos = click_at;
            button = press == 2 ? 1 : 0;
            --press;
        } else if (k < 60) {  // reading back up the transcript
            pos = centre(transcript);
            if (k % 3 == 0) wheel = k < 45 ? 1.0f : -2.0f;
        } else if (k < 120) {  // down the customer's history
            pos = centre(history);
            if (k % 3 == 0) wheel = k < 105 ? -1.5f : 3.0f;
        } else if (k == 130 || k == 175) {  // the contact list back to its top, to find the rows
            pos = centre(rows);
            wheel = 20.0f;
        } else if ((k == 140 || k == 180) && rows) {  // click another contact, then back to the heavy one
            const auto list = listed(s);
            const float row_h = 64.0f + 2.0f;
            size_t target = 0;
            if (k == 140) {
                // The next light contact whose row is in view.
                const size_t in_view = std::max<size_t>(1, size_t((rows->Size.y - 16.0f) / row_h));
                target = 1 + size_t(light_pick++) % std::min(list.size() - 1, in_view - 1);
            }
            const float y = rows->DC.CursorStartPos.y + float(target) * row_h + 32.0f;
            click_at = ImVec2(rows->Pos.x + rows->Size.x * 0.5f, y);
            pos = click_at;  // hover first, press next frame, release the one after
            press = 2;
            pending_click = ImHashStr("##row", 0, ImHashStr(list[target]->id.c_str(), 0, rows->ID));
            clicked = list[target]->id;
            ++clicks;
        } else if (k == 160) {  // the contact list scrolled down a little
            pos = centre(rows);
            wheel = -3.0f;
        } else if (k >= 150 && k < 170) {  // on the other contact: hover the rows, the header
            pos = ImVec2(float(40 + (k * 37) % 200), float(100 + (k * 53) % 600));
        } else {
            pos = centre(transcript);
        }
        io.AddMousePosEvent(pos.x, pos.y);
        if (button >= 0) io.AddMouseButtonEvent(ImGuiMouseButton_Left, button == 1);
        if (wheel != 0.0f) io.AddMouseWheelEvent(0.0f, wheel);
        io.DeltaTime = float(kFrameMs) / 1000.0f;

        // ---- the frame ----
        const double t0 = thread_cpu_ms();
        ImGui::NewFrame();
        app.frame(s, backend.now, sink);
        ImGui::Render();
        const double t1 = thread_cpu_ms();
        upload_textures();

        const ImDrawData* dd = ImGui::GetDrawData();
        if (f >= warmup) {
            if (transcript && selected == "k0")
                scrolled_transcript = std::max(scrolled_transcript, transcript->ScrollMax.y - transcript->Scroll.y);
            if (history && selected == "k0") scrolled_history = std::max(scrolled_history, history->Scroll.y);
            times.push_back(t1 - t0);
            if (selected == "k0") heavy_times.push_back(t1 - t0);
            vertices += size_t(dd->TotalVtxCount);
        }
        if (pending_click && press == 0) {  // the click is over: did it land on the row aimed at?
            if (ImGui::GetCurrentContext()->LastActiveId == pending_click) {
                ++clicks_landed;
                selected = clicked;
            }
            pending_click = 0;
        }

        // ---- between frames: the desk gets what happened (not timed) ----
        std::vector<Intent> intents;
        intents.swap(sink.intents);
        for (auto& i : intents) backend.intent(std::move(i));
        backend.now += kFrameMs;
        backend.fire_due_timers();
        // Now and then, customers on other contacts type and write.
        if (f % 25 == 0) {
            const auto list = listed(s);
            const auto* c = list[1 + size_t(f / 25) % (list.size() - 1)];
            if (c->state == sb::contact::ContactState::Active && c->channel != sb::contact::Channel::Voice) {
                backend.event("contact.typing", {{"contact", c->id}, {"typing", true}});
                backend.event("contact.typing", {{"contact", c->id}, {"typing", false}});
                backend.event("contact.message",
                              {{"contact", c->id},
                               {"message", backend.said(c->id, message("n" + std::to_string(backend.next_message()), false,
                                                                       kCustomerLines[size_t(f) % 8], backend.now))}});
            }
        }
    }

    if (backend.refused || clicks_landed != clicks || heavy->messages.size() != size_t(kTranscript)) {
        std::fprintf(stderr, "frame_bench: the run went wrong (%zu intents refused, %zu of %zu clicks landed)\n",
                     backend.refused, clicks_landed, clicks);
        return 1;
    }
    ImGui::DestroyContext();

    const double p50 = percentile(times, 0.50), p99 = percentile(times, 0.99);
    const double max = *std::max_element(times.begin(), times.end());
    double sum = 0;
    for (double t : times) sum += t;
    std::fprintf(stderr, "frame_bench: %d frames, %zu on the heavy contact; %zu clicks, %zu landed; the wheel took the "
                 "transcript up to %.0f px from its end, the history %.0f px down\n", frames, heavy_times.size(), clicks,
                 clicks_landed, scrolled_transcript, scrolled_history);
    std::printf("{\"frames\": %d, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"mean_ms\": %.3f, "
                "\"heavy_frames\": %zu, \"heavy_p50_ms\": %.3f, \"heavy_p99_ms\": %.3f, \"switches\": %zu, "
                "\"vertices_per_frame\": %zu, \"contacts\": %d, \"transcript\": %d, \"history\": %d, \"display\": \"%dx%d\"}\n",
                frames, p50, p99, max, sum / double(times.size()), heavy_times.size(), percentile(heavy_times, 0.5),
                percentile(heavy_times, 0.99), clicks_landed, vertices / times.size(), kContacts, kTranscript, kHistory,
                width, height);
    return 0;
}
