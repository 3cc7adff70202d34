// shell/draw_memo.h: remembers what the last submitted frame drew, so that a frame whose ImGui
// draw data is byte for byte the same (a settle frame, a state change nothing on screen shows)
// is not rasterised again. In the browser this matters: under software GL (SwiftShader, as on
// VDI desktops without a GPU) one frame of the desk costs tens of milliseconds of CPU. A WebGL
// canvas that is not drawn to during an animation frame keeps showing its last image, so
// skipping the submit is invisible.
//
// The comparison is exact (every vertex, index and command, the display and framebuffer size),
// not a hash: a collision would leave a stale picture on screen.
#pragma once

#include <cstring>
#include <vector>

#include <imgui.h>

namespace sb::shell {

class DrawMemo {
public:
    // True if `dd` at framebuffer size fw x fh draws exactly what the last call recorded; false
    // (and records it) otherwise. forget() makes the next call false (the canvas was cleared).
    bool unchanged(const ImDrawData* dd, int fw, int fh) {
        scratch_.clear();
        put(&fw, sizeof fw);
        put(&fh, sizeof fh);
        if (dd && dd->Valid) {
            put(&dd->DisplayPos, sizeof dd->DisplayPos);
            put(&dd->DisplaySize, sizeof dd->DisplaySize);
            put(&dd->FramebufferScale, sizeof dd->FramebufferScale);
            put(&dd->CmdListsCount, sizeof dd->CmdListsCount);
            for (int i = 0; i < dd->CmdListsCount; i++) {
                const ImDrawList* l = dd->CmdLists[i];
                const int nv = l->VtxBuffer.Size, ni = l->IdxBuffer.Size, nc = l->CmdBuffer.Size;
                put(&nv, sizeof nv);
                put(&ni, sizeof ni);
                put(&nc, sizeof nc);
                put(l->VtxBuffer.Data, sizeof(ImDrawVert) * size_t(nv));
                put(l->IdxBuffer.Data, sizeof(ImDrawIdx) * size_t(ni));
                for (const ImDrawCmd& c : l->CmdBuffer) {
                    put(&c.ClipRect, sizeof c.ClipRect);
                    put(&c.TexRef, sizeof c.TexRef);
                    put(&c.VtxOffset, sizeof c.VtxOffset);
                    put(&c.IdxOffset, sizeof c.IdxOffset);
                    put(&c.ElemCount, sizeof c.ElemCount);
                    const void* cb = reinterpret_cast<const void*>(c.UserCallback);
                    put(&cb, sizeof cb);
                }
            }
        }
        // ImGui 1.92 bakes glyphs as they are first needed: a texture it created or changed must
        // reach the GPU even if the frame's geometry is the same.
        bool textures_settled = true;
        if (dd && dd->Textures)
            for (const ImTextureData* t : *dd->Textures)
                if (t->Status != ImTextureStatus_OK) textures_settled = false;
        const bool same = textures_settled && valid_ && scratch_.size() == last_.size() &&
                          std::memcmp(scratch_.data(), last_.data(), scratch_.size()) == 0;
        if (!same) {
            last_.swap(scratch_);
            valid_ = true;
        }
        return same;
    }

    void forget() { valid_ = false; }

private:
    void put(const void* p, size_t n) {
        if (n == 0) return;
        const auto* b = static_cast<const unsigned char*>(p);
        scratch_.insert(scratch_.end(), b, b + n);
    }

    std::vector<unsigned char> scratch_, last_;
    bool valid_ = false;
};

}  // namespace sb::shell
