// simulator.cpp: simulated customers (see simulator.h).
#include "server/dev/simulator.h"

#include "server/net/http_api.h"  // sms_signature

namespace sbd {

using json = nlohmann::json;

struct Simulator::Story {
    const char* topic;
    std::vector<const char*> lines;  // the opening, then one line per agent reply
    const char* thanks;
};

namespace {

const std::vector<Simulator::Story>& stories() {
    static const std::vector<Simulator::Story> list = {
        {"billing",
         {"Hi, I think I was charged twice on my last bill.",
          "It's the invoice from the 3rd, there are two charges of $45.99.",
          "Yes please, can you refund the duplicate to my card?",
          "Great. How long does the refund take?"},
         "Perfect, thank you so much for sorting that out!"},
        {"order status",
         {"Hello, where is my order? It was supposed to arrive yesterday.",
          "The order number is 58812.",
          "OK. Is there a tracking link you can send me?",
          "Will someone need to sign for it?"},
         "Thanks, that helps a lot. Bye!"},
        {"return",
         {"Hi, I'd like to return the headset I bought last week.",
          "It's fine, it just doesn't fit well. It's still in the box.",
          "Can I drop it at a store instead of mailing it?",
          "And the refund goes back to my original payment?"},
         "Great, thanks for your help."},
        {"complaint",
         {"I'm really unhappy. My internet has been dropping every evening for a week.",
          "I already restarted the router three times, it doesn't help.",
          "I work from home, this is costing me. Can you send a technician?",
          "Can I get some credit on my bill for the outage?"},
         "OK, thank you for taking this seriously."},
        {"address change",
         {"Hi, I'm moving next month and need to change my address.",
          "The new address is 42 Harbor Street, Apt 3B, Springfield.",
          "The move is on the 15th. Can the service switch on that day?",
          "Do I need to return the old router?"},
         "Perfect, thanks! Have a nice day."},
    };
    return list;
}

const char* const kFirstNames[] = {"Jordan", "Maya", "Luis", "Aisha", "Tom", "Grace", "Ken", "Sofia", "Omar", "Lena"};
const char* const kLastNames[] = {"Baker", "Chen", "Garcia", "Okoye", "Novak", "Silva", "Patel", "Berg", "Haddad", "Kim"};

}  // namespace

// ---- Simulator ----------------------------------------------------------------------------------
void Simulator::start(const std::string& server_url, std::optional<std::string> sms_secret) {
    sms_secret_ = std::move(sms_secret);
    auto url = parse_http_url(server_url + "/sms/inbound");
    if (url) inbound_ = url.value();
    chat_url_ = "ws://" + server_url.substr(server_url.find("://") + 3) + "/chat/ws";
    log_.info("simulator started", {{"per_minute", per_minute_}});
    later(1.0, [this] { arrive(); });
}

void Simulator::stop() {
    stopped_ = true;
    timer_.cancel();
    // Every later() too: a chat's keep-alive is 25 s away, and a timer still armed keeps the
    // I/O loop (and so the server's exit) waiting for it.
    for (const auto& t : pending_) t->cancel();
    for (auto& [id, c] : chats_)
        if (c.socket) c.socket->close();
    chats_.clear();
}

void Simulator::schedule_next_arrival() {
    if (stopped_) return;
    // Exponential gaps: arrivals at per_minute_ on average, not in lockstep.
    double mean = 60.0 / per_minute_;
    double gap = std::exponential_distribution<double>(1.0 / mean)(rng_);
    timer_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(std::min(gap, mean * 4) * 1000)));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) arrive();
    });
}

void Simulator::arrive() {
    if (stopped_) return;
    if (uniform(0, 1) < 0.6) start_chat();
    else start_sms();
    schedule_next_arrival();
}

void Simulator::later(double seconds, std::function<void()> f) {
    if (stopped_) return;
    auto t = std::make_shared<boost::asio::steady_timer>(io_);
    pending_.insert(t);
    t->expires_after(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
    t->async_wait([this, t, f = std::move(f)](const boost::system::error_code& ec) {
        pending_.erase(t);
        if (!ec && !stopped_) f();
    });
}

void Simulator::chat_send(ChatId id, const json& frame) {
    auto it = chats_.find(id);
    if (it == chats_.end() || !it->second.socket) return;
    it->second.socket->send(frame.dump());  // queued until the socket is open
}

void Simulator::leave_chat(ChatId id) {
    auto it = chats_.find(id);
    if (it == chats_.end()) return;
    if (it->second.socket) it->second.socket->close();
    chats_.erase(it);
}

// A customer opens the chat page's WebSocket and starts a chat, as the page does.
void Simulator::start_chat() {
    if (chat_url_.empty()) return;
    ChatId id = ++next_chat_;
    Customer c;
    c.story = &stories()[rng_() % stories().size()];
    c.socket = std::make_shared<sb::native::WebSocketClient>(
        io_, sb::native::WebSocketCallbacks{
                 nullptr, [this, id](std::string frame) { on_chat_frame(id, frame); },
                 [this, id](std::string reason) {
                     log_.warn("simulated chat customer lost the connection", {{"chat", id}, {"reason", reason}});
                     chats_.erase(id);
                 }});
    chats_[id] = c;
    c.socket->open(chat_url_);
    std::string first = kFirstNames[rng_() % 10], last = kLastNames[rng_() % 10];
    json start{{"type", "start"}, {"name", first + " " + last}};
    if (uniform(0, 1) < 0.5) start["email"] = first + "." + last + std::to_string(++counter_) + "@example.net";
    log_.info("simulated chat customer", {{"chat", id}, {"topic", c.story->topic}});
    chat_send(id, start);
    later(uniform(1, 3), [this, id] { reply(id, ""); });
    keep_alive(id);
}

// A ping every 25 s while the chat is open, as the chat page sends: the server closes a WebSocket
// after 60 s of silence, and a customer waiting in a queue says nothing for longer.
void Simulator::keep_alive(ChatId id) {
    later(25, [this, id] {
        if (!chats_.count(id)) return;  // left, or lost
        chat_send(id, {{"type", "ping"}});
        keep_alive(id);
    });
}

void Simulator::start_sms() {
    Customer c;
    c.story = &stories()[rng_() % stories().size()];
    char phone[32];
    std::snprintf(phone, sizeof phone, "+1555020%04d", static_cast<int>(rng_() % 10000));
    c.phone = phone;
    if (sms_.count(c.phone)) return;
    sms_[c.phone] = c;
    log_.info("simulated sms customer", {{"phone", c.phone}, {"topic", c.story->topic}});
    reply(0, c.phone);
}

// The customer's next line (the opening on the first call), with a typing pause for chats.
void Simulator::reply(ChatId chat_id, const std::string& phone) {
    Customer* c = nullptr;
    if (chat_id) {
        auto it = chats_.find(chat_id);
        if (it != chats_.end()) c = &it->second;
    } else if (auto it = sms_.find(phone); it != sms_.end()) {
        c = &it->second;
    }
    if (!c || c->done) return;
    std::string text;
    bool leaving = c->next_line >= c->story->lines.size();
    text = leaving ? c->story->thanks : c->story->lines[c->next_line++];
    if (leaving) c->done = true;
    if (chat_id) {
        chat_send(chat_id, {{"type", "typing"}, {"typing", true}});
        later(uniform(1.5, 4), [this, chat_id, text, leaving] {
            chat_send(chat_id, {{"type", "message"}, {"text", text}, {"client_id", "sim-" + std::to_string(++counter_)}});
            if (leaving)
                later(uniform(3, 6), [this, chat_id] { chat_send(chat_id, {{"type", "end"}}); });
        });
    } else {
        std::string to = rng_() % 2 ? "7001" : "7002";
        sms_send(phone, to, text);
        if (leaving) sms_.erase(phone);
    }
}

void Simulator::sms_send(const std::string& phone, const std::string& to, const std::string& body) {
    if (!inbound_) return;
    std::string form = "From=" + std::string("%2B") + phone.substr(1) + "&To=" + to + "&Body=";
    for (unsigned char ch : body) {
        if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_') form += static_cast<char>(ch);
        else if (ch == ' ') form += '+';
        else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", ch);
            form += buf;
        }
    }
    using namespace std::chrono;
    HttpHeaders headers;
    if (sms_secret_) {
        int64_t now_s = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
        headers.emplace_back("X-Switchboard-Signature", sms_signature(*sms_secret_, now_s, form));
    }
    http_post(io_, *inbound_, "application/x-www-form-urlencoded", form, std::chrono::seconds(5),
              [this, phone](sb::Result<HttpResponse> r) {
                  if (!r || r.value().status != 200)
                      log_.warn("simulated sms refused", {{"phone", phone}, {"error", r ? r.value().body : r.error().message}});
              },
              headers);
}

// ---- what the simulated customers receive -----------------------------------------------------
void Simulator::on_chat_frame(ChatId id, const std::string& frame) {
    json f = json::parse(frame, nullptr, false);
    if (!f.is_object()) return;
    std::string type = f.value("type", "");
    if (type == "message" && f["message"].value("from", "") == "agent") {
        std::string message_id = f["message"].value("id", "");
        // Read receipt at once; the answer after a human pause (outside this call: no re-entry).
        later(0.2, [this, id, message_id] { chat_send(id, {{"type", "received"}, {"message", message_id}}); });
        later(uniform(2, 6), [this, id] { reply(id, ""); });
    } else if (type == "ended") {
        later(0.1, [this, id] { leave_chat(id); });  // not from inside the socket's own callback
    } else if (type == "error") {
        log_.warn("simulated chat customer refused", {{"chat", id}, {"code", f.value("code", "")}});
    }
}

void Simulator::on_outbound_sms(const std::string& to, const std::string&) {
    if (!sms_.count(to)) return;
    std::string phone = to;
    later(uniform(4, 10), [this, phone] { reply(0, phone); });
}

}  // namespace sbd
