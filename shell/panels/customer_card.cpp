// shell/panels/customer_card.cpp: the right column, who the customer on the selected contact is
// (the screen pop).
//
// Who they are and how to reach them; for a customer the backend did not recognise, a short
// form to complete the new record; the verification checklist (verification.cpp) and the
// sensitive section it unlocks (masked, with a padlock, until the contact is verified); "last
// time" in one line; their notes, editable; and their previous contacts with date, channel,
// queue, disposition, notes and agent.
//
// Sections: edits · pieces · draw_customer_card
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "contact_view.h"
#include "memory.h"
#include "panels.h"

namespace sb::shell {

namespace {

namespace color = theme::color;
using contact::Customer;

// ---- edits -------------------------------------------------------------------------------------
// What the agent is editing (CustomerEdit, PanelMemory::customer_edit in memory.h) follows the
// desk's value of a field the agent has not touched, and starts afresh for another customer.
constexpr size_t kHistoryPage = HistoryPage::kPage;

void sync(CustomerEdit& edit, const Customer& c) {
    if (edit.customer != c.id) {
        edit = CustomerEdit{c.id, c.notes, c.notes, c.first_name, c.last_name, c.email, false};
        return;
    }
    if (c.notes != edit.notes_base) {
        if (edit.notes == edit.notes_base) edit.notes = c.notes;
        edit.notes_base = c.notes;
    }
}

bool unknown(const Customer& c) { return c.first_name.empty() && c.last_name.empty(); }

// ---- pieces ------------------------------------------------------------------------------------
void section_title(const char* title, const char* trailing = nullptr) {
    const auto& f = theme::fonts();
    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    ui::text(f.strong, color::text, title);
    if (trailing) {
        ImGui::SameLine(0.0f, 6.0f);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 1.0f);
        ui::text(f.small, color::text_faint, trailing);
    }
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
}

void detail_row(const char* label, const std::string& value, float w) {
    const auto& f = theme::fonts();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float lw = 64.0f;
    ui::draw_text(dl, f.small, ImVec2(o.x, o.y + 2.0f), color::text_faint, label);
    const bool empty = value.empty();
    ui::draw_text(dl, f.body, ImVec2(o.x + lw, o.y), empty ? color::text_faint : color::text,
                  empty ? "—" : ui::ellipsize(f.body, value, w - lw));
    ImGui::Dummy(ImVec2(w, ui::line_height(f.body)));
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
    if (!empty && ImGui::IsItemHovered() && ui::text_size(f.body, value).x > w - lw) ImGui::SetTooltip("%s", value.c_str());
}

// Wrapped text at the cursor in a font and colour, `w` wide.
void wrapped(ImFont* font, ImU32 col, const std::string& s, float w) {
    ui::push_font(font);
    ImGui::PushStyleColor(ImGuiCol_Text, col);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
    ImGui::TextUnformatted(s.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::PopFont();
}

void header(const desk::DeskState& s, const Customer& c, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float d = 46.0f;
    const ImVec2 ac(o.x + d * 0.5f, o.y + d * 0.5f);
    const bool is_unknown = unknown(c);
    dl->AddCircleFilled(ac, d * 0.5f, is_unknown ? color::surface_active : color::accent_soft, 32);
    const std::string ini = is_unknown ? "?" : ui::initials(c.display_name());
    const ImVec2 is = ui::text_size(f.heading, ini);
    ui::draw_text(dl, f.heading, ImVec2(ac.x - is.x * 0.5f, ac.y - is.y * 0.5f), is_unknown ? color::text_muted : color::accent, ini);

    const float x = o.x + d + 12.0f;
    const float block = ui::line_height(f.heading) + 2.0f + ui::line_height(f.small);
    const float ty = o.y + std::round((d - block) * 0.5f);
    ui::draw_text(dl, f.heading, ImVec2(x, ty), color::text, ui::ellipsize(f.heading, c.display_name(), o.x + w - x));
    const size_t n = c.history.size();
    const std::string sub = is_unknown ? "New customer"
                            : n == 0   ? "First contact"
                                       : std::to_string(n) + (n == 1 ? " previous contact" : " previous contacts");
    ui::draw_text(dl, f.small, ImVec2(x, ty + ui::line_height(f.heading) + 2.0f), color::text_muted, sub);
    (void)s;
    ImGui::Dummy(ImVec2(w, d));
}

void complete_details_form(CustomerEdit& edit, const Customer& c, IntentSink& sink, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    // A soft box around the form: this is a task, not a record.
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::Indent(12.0f);
    ImGui::Dummy(ImVec2(0.0f, 0.0f));
    const float iw = w - 24.0f;
    ui::text(f.strong, color::warning_text, "Unknown customer");
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 6.0f);
    wrapped(f.small, color::text_muted, "No record matched; complete their details.", iw);
    const float half = std::floor((iw - 8.0f) * 0.5f);
    ImGui::SetNextItemWidth(half);
    ui::input_text("##first", edit.first, "First name");
    ImGui::SameLine(0.0f, 8.0f);
    ImGui::SetNextItemWidth(half);
    ui::input_text("##last", edit.last, "Last name");
    ImGui::SetNextItemWidth(iw);
    ui::input_text("##email", edit.email, "Email");
    const bool changed = edit.first != c.first_name || edit.last != c.last_name || edit.email != c.email;
    const bool named = !edit.first.empty() || !edit.last.empty();
    ImGui::BeginDisabled(!changed || !named || edit.details_sent);
    if (ui::primary_button(edit.details_sent ? "Saving…" : "Save customer", ImVec2(iw, 34.0f))) {
        desk::UpdateCustomerIntent u{c.id, edit.first, edit.last, edit.email, std::nullopt};
        sink.dispatch(u);
        edit.details_sent = true;
    }
    ImGui::EndDisabled();
    ImGui::Unindent(12.0f);
    const float bottom = ImGui::GetCursorScreenPos().y;
    dl->ChannelsSetCurrent(0);
    dl->AddRectFilled(ImVec2(o.x, o.y - 4.0f), ImVec2(o.x + w, bottom + 2.0f), color::amber_soft, 10.0f);
    dl->ChannelsMerge();
    ImGui::Dummy(ImVec2(w, 4.0f));
}

void last_time(const desk::DeskState& s, const contact::Interaction& last, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const std::string disposition = view::disposition_label(s, last.queue, last.disposition);
    std::string line = "Last time: " + (last.notes.empty() ? std::string("no notes") : last.notes);
    if (!disposition.empty()) line += " — " + disposition;
    const float inner = w - 24.0f;
    const ImVec2 ts = f.body->CalcTextSizeA(ui::line_height(f.body), FLT_MAX, inner, line.c_str());
    const std::string when = ui::format_date(last.at_ms) + " · " + view::channel_name(last.channel) + " · " +
                             view::agent_name(s, last.agent);
    const float h = 10.0f + ts.y + 4.0f + ui::line_height(f.small) + 10.0f;
    dl->AddRectFilled(o, ImVec2(o.x + w, o.y + h), color::accent_soft, 10.0f);
    dl->AddText(f.body, ui::line_height(f.body), ImVec2(o.x + 12.0f, o.y + 10.0f), color::text, line.c_str(), nullptr, inner);
    ui::draw_text(dl, f.small, ImVec2(o.x + 12.0f, o.y + 14.0f + ts.y), color::text_muted, ui::ellipsize(f.small, when, inner));
    ImGui::Dummy(ImVec2(w, h));
}

void notes_editor(CustomerEdit& edit, const Customer& c, IntentSink& sink, float w) {
    const auto& f = theme::fonts();
    section_title("Notes");
    ui::input_text_multiline("##customer_notes", edit.notes, ImVec2(w, 76.0f));
    ui::field_placeholder(edit.notes, "Worth knowing next time");
    const bool dirty = edit.notes != c.notes;
    if (dirty) {
        ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 5.0f));
        if (ui::primary_button("Save notes", ImVec2(0.0f, 30.0f))) sink.dispatch(desk::UpdateCustomerIntent{c.id, std::nullopt, std::nullopt, std::nullopt, edit.notes});
        ImGui::SameLine(0.0f, 8.0f);
        if (ui::secondary_button("Discard", ImVec2(0.0f, 30.0f))) edit.notes = c.notes;
        ImGui::PopStyleVar();
    } else if (!c.notes.empty()) {
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
        ui::text(f.small, color::text_faint, "Saved");
    }
}

std::string money(int64_t cents) { return ui::format_money(cents, "USD"); }

// The sensitive section (docs/verification.md): masked by the backend, with a closed padlock,
// until the contact is verified; then the accounts in full, balances, address, date of birth.
void sensitive_section(const contact::Sensitive& sv, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ui::text(f.strong, color::text, "Account");
    const char* label = sv.unlocked ? "Unlocked" : "Locked until verified";
    const ImVec2 chip = ui::chip_size(label);
    const float chip_x = o.x + w - chip.x - 2.0f;
    const ImU32 fg = sv.unlocked ? color::success_active : color::text_muted;
    ui::draw_chip(dl, ImVec2(chip_x, o.y - 1.0f), label, sv.unlocked ? color::success_soft : color::surface_active, fg);
    draw_padlock(dl, ImVec2(chip_x - 12.0f, o.y + chip.y * 0.5f - 1.0f), 11.0f, fg, sv.unlocked);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 2.0f);

    // A soft box: grey and masked, or white with the figures.
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    const ImVec2 box = ImGui::GetCursorScreenPos();
    ImGui::Indent(10.0f);
    ImGui::Dummy(ImVec2(0.0f, 2.0f));
    const float iw = w - 20.0f;
    if (sv.accounts.empty()) ui::text(f.small, color::text_muted, "No accounts.");
    for (const auto& a : sv.accounts) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const std::string title = a.plan + (a.status.empty() ? "" : " · " + a.status);
        const std::string amount = a.balance_cents ? money(*a.balance_cents) : std::string("Balance hidden");
        const float aw = ui::text_size(f.small, amount).x;
        ui::draw_text(dl, f.strong, p, color::text, ui::ellipsize(f.strong, title, iw - aw - 8.0f));
        ui::draw_text(dl, f.small, ImVec2(p.x + iw - aw, p.y + 2.0f), a.balance_cents ? color::text : color::text_faint,
                      amount);
        const std::string number = (a.number.empty() ? std::string("—") : a.number) + "  ·  " + a.id;
        ui::draw_text(dl, f.small, ImVec2(p.x, p.y + ui::line_height(f.strong) + 1.0f), color::text_muted,
                      ui::ellipsize(f.small, number, iw));
        ImGui::Dummy(ImVec2(iw, ui::line_height(f.strong) + ui::line_height(f.small) + 4.0f));
    }
    if (sv.unlocked) {
        detail_row("Address", sv.address, iw);
        detail_row("Postcode", sv.postcode, iw);
        detail_row("Born", sv.date_of_birth, iw);
        for (const auto& m : sv.payment_methods) {  // docs/payments.md: brand, last 4, expiry only
            const std::string brand = m.brand == "visa" ? "Visa" : m.brand == "mastercard" ? "Mastercard"
                                      : m.brand == "amex" ? "Amex" : m.brand == "discover" ? "Discover" : m.brand;
            detail_row("Card", brand + " •••• " + m.last4 + (m.expiry.empty() ? "" : " · exp " + m.expiry), iw);
        }
    } else {
        ui::push_font(f.small);
        ImGui::PushStyleColor(ImGuiCol_Text, color::text_muted);
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + iw);
        ImGui::TextUnformatted("Address, balances and payment methods show once the customer is verified.");
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        ImGui::PopFont();
    }
    ImGui::Unindent(10.0f);
    const float bottom = ImGui::GetCursorScreenPos().y;
    dl->ChannelsSetCurrent(0);
    dl->AddRectFilled(box, ImVec2(box.x + w, bottom + 2.0f), sv.unlocked ? color::surface : color::surface_hover, 8.0f);
    dl->AddRect(box, ImVec2(box.x + w, bottom + 2.0f), sv.unlocked ? color::success_soft : color::border, 8.0f);
    dl->ChannelsMerge();
    ImGui::Dummy(ImVec2(w, 4.0f));
}

void history_entry(const desk::DeskState& s, const contact::Interaction& h, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ui::channel_glyph(dl, h.channel, ImVec2(o.x + 8.0f, o.y + ui::line_height(f.strong) * 0.5f), 14.0f,
                      ui::channel_color(h.channel));
    const std::string disposition = view::disposition_label(s, h.queue, h.disposition);
    const ImVec2 chip = disposition.empty() ? ImVec2(0.0f, 0.0f) : ui::chip_size(disposition);
    const float chip_w = std::min(chip.x, w * 0.5f);
    const std::string title = ui::format_date(h.at_ms) + " · " + view::channel_name(h.channel);
    ui::draw_text(dl, f.strong, ImVec2(o.x + 24.0f, o.y), color::text, ui::ellipsize(f.strong, title, w - 24.0f - chip_w - 8.0f));
    if (!disposition.empty())
        ui::draw_chip(dl, ImVec2(o.x + w - chip_w, o.y - 1.0f), ui::ellipsize(f.small, disposition, chip_w - 16.0f),
                      color::surface_active, color::text_muted);
    ImGui::Dummy(ImVec2(w, ui::line_height(f.strong)));
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 6.0f);
    ImGui::Indent(24.0f);
    if (!h.notes.empty()) {
        wrapped(f.small, color::text, h.notes, w - 24.0f);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 6.0f);
    }
    ui::text(f.small, color::text_faint,
             ui::ellipsize(f.small, view::queue_name(s, h.queue) + " · " + view::agent_name(s, h.agent), w - 24.0f));
    ImGui::Unindent(24.0f);
}

}  // namespace

// ---- draw_customer_card ------------------------------------------------------------------------

void draw_customer_card(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx) {
    const contact::Contact* contact = desk::find_contact(s, ctx.selected_contact);
    if (!contact) {
        ui::card_header("Customer");
        ui::empty_state(ui::Illustration::Person, "No customer selected",
                        "Customer details appear here when a contact is selected.");
        return;
    }
    const Customer& c = contact->customer;
    CustomerEdit& edit = ctx.memory.customer_edit;
    HistoryPage& history = ctx.memory.history;
    sync(edit, c);
    if (edit.details_sent && !unknown(c)) edit.details_sent = false;

    ui::card_header("Customer");
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0f, 4.0f));
    ImGui::BeginChild("##customer_body", ImVec2(0.0f, 0.0f), ImGuiChildFlags_AlwaysUseWindowPadding);
    ImGui::PopStyleVar();
    const float w = ImGui::GetContentRegionAvail().x - 10.0f;  // room for the scrollbar

    header(s, c, w);
    ImGui::Dummy(ImVec2(w, 0.0f));
    detail_row("Phone", c.phone, w);
    detail_row("Email", c.email, w);
    detail_row("Chat", c.chat_identity, w);
    ImGui::Dummy(ImVec2(w, 2.0f));

    if (unknown(c)) complete_details_form(edit, c, sink, w);
    // Verification (verification.cpp), then what it unlocks.
    if (contact->verification) {
        draw_verification(s, *contact, sink, ctx, w);
        ImGui::Dummy(ImVec2(w, 2.0f));
    }
    if (c.sensitive) sensitive_section(*c.sensitive, w);
    draw_payment(s, *contact, sink, ctx, w);  // payment.cpp: a verified, active contact
    if (!c.history.empty()) {
        const auto latest = std::max_element(c.history.begin(), c.history.end(),
                                             [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
        last_time(s, *latest, w);
    }
    notes_editor(edit, c, sink, w);

    const std::string count = std::to_string(c.history.size());
    section_title("History", c.history.empty() ? nullptr : count.c_str());
    if (c.history.empty()) {
        ui::text(theme::fonts().small, color::text_muted, "No previous contacts.");
    } else {
        // Newest first, a page at a time: a long-standing customer can have thousands of previous
        // contacts, and laying out every one each frame would cost the whole frame budget.
        if (history.customer != c.id) history = HistoryPage{c.id, kHistoryPage};
        std::vector<const contact::Interaction*> order;
        order.reserve(c.history.size());
        for (const auto& h : c.history) order.push_back(&h);
        const size_t shown = std::min(order.size(), history.shown);
        // Ties keep the backend's order.
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(),
                          [](auto* a, auto* b) { return a->at_ms != b->at_ms ? a->at_ms > b->at_ms : a < b; });
        ImGui::Dummy(ImVec2(w, 2.0f));
        for (size_t i = 0; i < shown; ++i) {
            if (i > 0) {
                const ImVec2 p = ImGui::GetCursorScreenPos();
                ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x, p.y - 3.0f), ImVec2(p.x + w, p.y - 3.0f), color::border);
                ImGui::Dummy(ImVec2(w, 2.0f));
            }
            ImGui::PushID(static_cast<int>(i));
            history_entry(s, *order[i], w);
            ImGui::PopID();
        }
        if (shown < order.size()) {
            const size_t more = std::min(kHistoryPage, order.size() - shown);
            const std::string label = "Show " + std::to_string(more) + " older (" +
                                      std::to_string(order.size() - shown) + " not shown)";
            ImGui::Dummy(ImVec2(w, 4.0f));
            if (ui::secondary_button(label.c_str(), ImVec2(w, 30.0f))) history.shown += kHistoryPage;
        }
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace sb::shell
