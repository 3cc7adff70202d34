// shell/frame_pacer.h: decides when the UI draws. Never in a loop: after input (a few frames,
// so ImGui settles hover and click state), after a state change, and when the shell asks for
// a timed redraw (the state timer's next second, a caret blink). Shared by both mains.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sb::shell {

class FramePacer {
public:
    static constexpr int kFramesAfterInput = 3;

    void on_input() { frames_owed_ = std::max(frames_owed_, kFramesAfterInput); }
    void on_change() { frames_owed_ = std::max(frames_owed_, 2); }

    // After drawing a frame at `now_ms`: the shell wants another in `redraw_in_ms` (-1: never).
    void drew(int64_t now_ms, int64_t redraw_in_ms) {
        if (frames_owed_ > 0) frames_owed_--;
        due_at_ms_ = redraw_in_ms < 0 ? -1 : now_ms + redraw_in_ms;
    }

    bool frame_owed() const { return frames_owed_ > 0; }
    // ms until the next frame is needed: 0 now, -1 none until something happens.
    int64_t wait_ms(int64_t now_ms) const {
        if (frames_owed_ > 0) return 0;
        if (due_at_ms_ < 0) return -1;
        return std::max<int64_t>(0, due_at_ms_ - now_ms);
    }

private:
    int frames_owed_ = 2;  // the first frames
    int64_t due_at_ms_ = -1;
};

}  // namespace sb::shell
