// desk/event_json.h: events and effects as JSON, for recorded sessions (platform/recording.h).
//
// An event's JSON names its kind in "type" (start, transport_opened, transport_closed, frame,
// intent, timer, sip_opened, sip_closed, sip, media, phone, devices) and event_from_json reads
// back exactly what event_to_json writes: the round trip gives the same event. The platform's own
// reports use the same reader (web/platform_web.cpp: media, devices). Effects are written only:
// switchboard-replay prints them, and the web platform hands media and devices commands to
// web/media.js in this form.
#pragma once

#include <nlohmann/json.hpp>

#include "desk/effect.h"
#include "desk/event.h"
#include "util/result.h"

namespace sb::desk {

nlohmann::json event_to_json(const Event& event);
// Errors: bad_event, naming the field; never echoes a value.
Result<Event> event_from_json(const nlohmann::json& j);

nlohmann::json effect_to_json(const Effect& effect);

std::string_view to_string(TimerId timer);  // "reconnect", "heartbeat", "request_deadline", "login_wait", "sip"

}  // namespace sb::desk
