// sip/dialog.h: dialogs (RFC 3261 section 12) as data: their id, the route set, the remote
// target and the CSeq counters, created from a response with a To tag (UAC) or from the
// response a UAS sends, updated by target refreshes, and the in-dialog requests built from them.
//
// Sections: ids · Dialog · creation · in-dialog requests and updates
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message.h"
#include "util/result.h"

namespace sb::sip {

// Error codes.
inline constexpr std::string_view kDialogNoTag = "sip_dialog_no_tag";            // no remote/local tag yet
inline constexpr std::string_view kDialogMismatch = "sip_dialog_mismatch";       // not this dialog
inline constexpr std::string_view kDialogCSeqOrder = "sip_dialog_cseq_order";    // 12.2.2: answer 500
inline constexpr std::string_view kDialogBadMessage = "sip_dialog_bad_message";  // unusable headers

// ---- ids (12) ---------------------------------------------------------------------------------
struct DialogId {
    std::string call_id;
    std::string local_tag;
    std::string remote_tag;
    std::string key() const { return call_id + "|" + local_tag + "|" + remote_tag; }
    friend bool operator==(const DialogId&, const DialogId&) = default;
};
// The dialog a received request belongs to (local tag = its To tag, remote = its From tag),
// and the one a received response belongs to (local = From tag, remote = To tag).
Result<DialogId> dialog_id_of_request(const Message& request);
Result<DialogId> dialog_id_of_response(const Message& response);

// ---- Dialog -----------------------------------------------------------------------------------
enum class DialogState : uint8_t { early, confirmed, terminated };
std::string_view to_string(DialogState s);

struct Dialog {
    DialogId id;
    DialogState state = DialogState::early;
    bool uac = true;                      // we sent the request that created it
    std::string local_party;              // the From of our requests: "<sip:a@x>;tag=..."
    std::string remote_party;             // the To of our requests, with the remote tag
    std::string remote_target;            // Contact URI of the peer (target refreshes update it)
    std::vector<std::string> route_set;   // Route values, first hop first ("<sip:p1;lr>")
    uint32_t local_cseq = 0;              // the last CSeq we used
    std::optional<uint32_t> remote_cseq;  // the last CSeq the peer used
    bool secure = false;                  // sips Request-URI (12.1.1)
};

// ---- creation (12.1) --------------------------------------------------------------------------
// UAC: the request we sent (INVITE, SUBSCRIBE, REFER...) and a 101-299 response with a To tag.
// A 1xx makes an early dialog, a 2xx a confirmed one. The route set is the response's
// Record-Route in reverse order; the remote target its Contact.
Result<Dialog> dialog_as_uac(const Message& request, const Message& response);
// UAS: the request we received and the 101-299 response we send (which carries our To tag).
// The route set is the request's Record-Route in order; the remote target its Contact.
Result<Dialog> dialog_as_uas(const Message& request, const Message& response);

// ---- in-dialog requests and updates (12.2) ----------------------------------------------------
struct DialogRequestOptions {
    std::string via_transport = "WSS";
    std::string via_host = "df7jal23ls0d.invalid";
    std::string branch;                 // a fresh z9hG4bK branch (make_branch)
    std::optional<uint32_t> cseq;       // ACK: the INVITE's number; otherwise local_cseq + 1
    std::string contact;                // added as Contact when not empty (re-INVITE, target refresh)
};
// A request within the dialog (12.2.1.1): Request-URI and Route from the remote target and the
// route set (loose routing when the first route has lr, strict routing otherwise), To and From
// with their tags, Call-ID, the next CSeq (increments local_cseq; ACK leaves it), Max-Forwards.
Result<Message> make_dialog_request(Dialog& dialog, std::string_view method, const DialogRequestOptions& options);

// A response we received for a request of this dialog (12.1.2 / 12.2.1.2): a 2xx confirms an
// early dialog (taking the 2xx's route set, as the UAC) and a 2xx with Contact refreshes the
// remote target. A 481 or 408 ends the dialog. Errors: kDialogMismatch (another dialog).
Status dialog_on_response(Dialog& dialog, const Message& response);
// A request we received within the dialog (12.2.2): a CSeq lower than the last one is
// kDialogCSeqOrder (answer 500) and changes nothing; otherwise the remote CSeq is
// recorded and a target refresh (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER with Contact)
// updates the remote target; BYE ends the dialog.
Status dialog_on_request(Dialog& dialog, const Message& request);

}  // namespace sb::sip
