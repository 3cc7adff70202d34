// shell/runtime_sink.h: where the shell's intents go in a running desk: the Runtime. Both mains
// (web and native) use it.
#pragma once

#include <functional>

#include "platform/runtime.h"
#include "shell/app.h"

namespace sb::shell {

struct RuntimeSink final : IntentSink {
    platform::Runtime* runtime = nullptr;
    std::function<void()> on_export;  // the main's way to hand over a file (a download, a path)
    void dispatch(desk::Intent intent) override { runtime->dispatch(std::move(intent)); }
    void export_support_log() override {
        if (on_export) on_export();
    }
};

}  // namespace sb::shell
