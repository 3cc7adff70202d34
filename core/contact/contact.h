// contact/contact.h: a customer contact (call, chat, SMS) as the desk knows it.
//
// The walking skeleton has no contacts yet; this type is the place chat, SMS and voice fill.
#pragma once

#include <string>

namespace sb::contact {

enum class Channel { Voice, Chat, Sms };

struct Contact {
    std::string id;
    Channel channel = Channel::Chat;
};

}  // namespace sb::contact
