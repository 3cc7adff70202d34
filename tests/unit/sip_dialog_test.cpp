// Dialogs (RFC 3261 section 12): creation on both sides, the route set from Record-Route,
// in-dialog requests with loose and strict routing, target refreshes and CSeq order.
#include <doctest/doctest.h>

#include "sip/address.h"
#include "sip/dialog.h"
#include "sip/fields.h"
#include "sip_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {

// Alice calls Bob through two record-routing proxies (RFC 3261 24.2's shape).
Message alice_invite() {
    return sip_message(
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
        "Via: SIP/2.0/WSS client.atlanta.example.com;branch=z9hG4bK74bf9\r\n"
        "Max-Forwards: 70\r\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
        "To: Bob <sip:bob@biloxi.example.com>\r\n"
        "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
        "CSeq: 1 INVITE\r\n"
        "Contact: <sip:alice@client.atlanta.example.com;transport=ws>\r\n\r\n");
}
// The INVITE as Bob receives it: each proxy put its Record-Route on top.
Message bob_invite() {
    auto m = sip_message(alice_invite().serialize());
    m.prepend_header("Record-Route", "<sip:ss1.atlanta.example.com;lr>");
    m.prepend_header("Record-Route", "<sip:ss2.biloxi.example.com;lr>");
    return sip_message(m.serialize());
}
Message bob_answer(int status, std::string_view contact = "<sip:bob@client.biloxi.example.com;transport=ws>") {
    auto r = make_response(bob_invite(), status, status < 200 ? "Ringing" : "OK", "314159").value();
    r.add_header("Record-Route", "<sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>");
    if (!contact.empty()) r.add_header("Contact", contact);
    return sip_message(r.serialize());
}
// A request from Alice within the dialog, as Bob receives it.
Message from_alice(std::string_view method, uint32_t cseq, std::string_view contact = "",
                   std::string_view from = "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl") {
    std::string m(method);
    return sip_message(m + " sip:bob@client.biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/WSS h;branch=z9hG4bKre" + m +
                       "\r\nFrom: " + std::string(from) + "\r\nTo: Bob <sip:bob@biloxi.example.com>;tag=314159\r\n"
                       "Call-ID: 3848276298220188511@atlanta.example.com\r\nCSeq: " + std::to_string(cseq) + " " + m + "\r\n" +
                       (contact.empty() ? "" : "Contact: " + std::string(contact) + "\r\n") + "\r\n");
}
std::vector<std::string> routes(const Message& m) {
    std::vector<std::string> out;
    for (auto v : m.values(HeaderId::route)) out.emplace_back(v);
    return out;
}

}  // namespace

TEST_CASE("dialog: the UAC's dialog from a 200, its route set reversed, and BYE and ACK within it") {
    auto d = dialog_as_uac(alice_invite(), bob_answer(200));
    REQUIRE(d.ok());
    Dialog dialog = d.value();
    CHECK(dialog.state == DialogState::confirmed);
    CHECK(dialog.id == DialogId{"3848276298220188511@atlanta.example.com", "9fxced76sl", "314159"});
    CHECK(dialog.remote_target == "sip:bob@client.biloxi.example.com;transport=ws");
    CHECK(dialog.route_set == std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"});
    CHECK(dialog.local_cseq == 1);

    auto ack = make_dialog_request(dialog, "ACK", {"WSS", "client.atlanta.example.com", "z9hG4bKack", 1, ""});
    REQUIRE(ack.ok());
    CHECK(ack.value().find("CSeq")->value == "1 ACK");
    CHECK(dialog.local_cseq == 1);

    auto bye = make_dialog_request(dialog, "BYE", {"WSS", "client.atlanta.example.com", "z9hG4bKbye", std::nullopt, ""});
    REQUIRE(bye.ok());
    const Message& m = bye.value();
    CHECK(m.uri() == "sip:bob@client.biloxi.example.com;transport=ws");
    CHECK(routes(m) == std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"});
    CHECK(m.find("From")->value == "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
    CHECK(read_to(m).value().tag() == "314159");
    CHECK(m.find("CSeq")->value == "2 BYE");
    CHECK(m.find("Call-ID")->value == "3848276298220188511@atlanta.example.com");
    CHECK(dialog.local_cseq == 2);
    CHECK(parse_message(m.serialize()).ok());
    // The response to the BYE belongs to this dialog.
    CHECK(dialog_id_of_response(response_to(m, 200, "OK")).value() == dialog.id);
}

TEST_CASE("dialog: the UAS's dialog, its route set in order, and the peer's requests") {
    auto d = dialog_as_uas(bob_invite(), bob_answer(200));
    REQUIRE(d.ok());
    Dialog dialog = d.value();
    CHECK(dialog.id == DialogId{"3848276298220188511@atlanta.example.com", "314159", "9fxced76sl"});
    CHECK(dialog.remote_target == "sip:alice@client.atlanta.example.com;transport=ws");
    CHECK(dialog.route_set == std::vector<std::string>{"<sip:ss2.biloxi.example.com;lr>", "<sip:ss1.atlanta.example.com;lr>"});
    CHECK(dialog.remote_cseq == 1u);
    CHECK(dialog.local_cseq == 0);

    auto bye = make_dialog_request(dialog, "BYE", {"WSS", "client.biloxi.example.com", "z9hG4bKb", std::nullopt, ""}).value();
    CHECK(bye.uri() == "sip:alice@client.atlanta.example.com;transport=ws");
    CHECK(bye.find("From")->value == "Bob <sip:bob@biloxi.example.com>;tag=314159");
    CHECK(bye.find("To")->value == "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
    CHECK(bye.find("CSeq")->value == "1 BYE");
    CHECK(dialog_id_of_request(sip_message(bye.serialize())).value() ==
          DialogId{dialog.id.call_id, dialog.id.remote_tag, dialog.id.local_tag});  // as Alice sees it

    // Alice's re-INVITE with a new Contact refreshes the target; an older CSeq is refused.
    REQUIRE(dialog_on_request(dialog, from_alice("INVITE", 5, "<sip:alice@elsewhere.atlanta.example.com>")).ok());
    CHECK(dialog.remote_target == "sip:alice@elsewhere.atlanta.example.com");
    CHECK(dialog.remote_cseq == 5u);
    auto refused = dialog_on_request(dialog, from_alice("INFO", 4));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "sip_dialog_cseq_order");
    CHECK(refused.error().message == "CSeq 4 is lower than 5, the last of this dialog");
    CHECK(dialog.remote_cseq == 5u);
    CHECK(dialog_on_request(dialog, from_alice("INFO", 6, "", "<sip:mallory@x>;tag=evil")).error().code ==
          "sip_dialog_mismatch");
    REQUIRE(dialog_on_request(dialog, from_alice("BYE", 6)).ok());
    CHECK(dialog.state == DialogState::terminated);
    CHECK(make_dialog_request(dialog, "BYE", {}).error().code == "sip_dialog_mismatch");
}

TEST_CASE("dialog: early from a 180 with a tag, confirmed by the 200; no tag, no dialog") {
    auto early = dialog_as_uac(alice_invite(), bob_answer(180));
    REQUIRE(early.ok());
    Dialog dialog = early.value();
    CHECK(dialog.state == DialogState::early);
    REQUIRE(dialog_on_response(dialog, bob_answer(200, "<sip:bob@moved.biloxi.example.com>")).ok());
    CHECK(dialog.state == DialogState::confirmed);
    CHECK(dialog.remote_target == "sip:bob@moved.biloxi.example.com");

    auto untagged = sip_message(make_response(alice_invite(), 180, "Ringing").value().serialize());
    auto none = dialog_as_uac(alice_invite(), untagged);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "sip_dialog_no_tag");
    CHECK(none.error().message == "response 180 has no To tag");
    CHECK(dialog_as_uac(alice_invite(), response_to(alice_invite(), 486)).error().message ==
          "response 486 does not create a dialog");
    auto no_contact = dialog_as_uac(alice_invite(), bob_answer(200, ""));
    REQUIRE_FALSE(no_contact.ok());
    CHECK(no_contact.error().message == "response 200 has no Contact");

    auto other = sip_message(bob_answer(200).serialize());
    other.set_header("To", "Bob <sip:bob@biloxi.example.com>;tag=fork2");
    CHECK(dialog_on_response(dialog, sip_message(other.serialize())).error().code == "sip_dialog_mismatch");
    // 481: the peer lost the dialog.
    auto gone = sip_message(bob_answer(200).serialize().replace(8, 6, "481 Ca"));
    REQUIRE(dialog_on_response(dialog, gone).ok());
    CHECK(dialog.state == DialogState::terminated);
}

TEST_CASE("dialog: strict routing puts the first route in the Request-URI and the target last") {
    auto d = dialog_as_uac(alice_invite(), bob_answer(200)).value();
    d.route_set = {"<sip:strict.example.com>", "<sip:ss2.biloxi.example.com;lr>"};
    auto m = make_dialog_request(d, "INFO", {"WSS", "h", "z9hG4bKs", std::nullopt, "sip:alice@client.atlanta.example.com"}).value();
    CHECK(m.uri() == "sip:strict.example.com");
    CHECK(routes(m) == std::vector<std::string>{"<sip:ss2.biloxi.example.com;lr>", "<sip:bob@client.biloxi.example.com;transport=ws>"});
    CHECK(m.find("Contact")->value == "<sip:alice@client.atlanta.example.com>");
}
