// shell/runtime_sink.h: where the shell's intents go in a running desk: the Runtime. Both mains
// (web and native) use it.
#pragma once

#include "platform/runtime.h"
#include "shell/app.h"

namespace sb::shell {

struct RuntimeSink final : IntentSink {
    platform::Runtime* runtime = nullptr;
    void dispatch(desk::Intent intent) override { runtime->dispatch(std::move(intent)); }
};

}  // namespace sb::shell
