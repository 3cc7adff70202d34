// shell/theme.cpp: fonts (Inter, crisp at any device pixel ratio) and the ImGui style of the desk.
#include "theme.h"

#include <cstdio>
#include <string>

namespace sb::shell::theme {

namespace {

Fonts g_fonts;  // the atlas owns the fonts; this only names them for the panels

bool readable(const std::string& path) {
    if (path.empty()) return false;
    // AddFontFromFileTTF asserts on a missing file; check first so a bad path degrades, not aborts.
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    std::fclose(f);
    return true;
}

// A face at its logical size. ImGui 1.92 bakes each glyph when it is first drawn, at the size
// it is drawn and at the framebuffer's density (the device pixel ratio), so text is crisp on any
// screen and no glyph ranges are declared up front.
ImFont* load(const std::string& path, float size) {
    ImGuiIO& io = ImGui::GetIO();
    if (readable(path)) {
        ImFontConfig cfg;
        cfg.OversampleH = 2;
        cfg.OversampleV = 1;
        cfg.PixelSnapH = false;
        if (ImFont* f = io.Fonts->AddFontFromFileTTF(path.c_str(), size, &cfg)) return f;
    }
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f;  // the built-in font is a 13 px bitmap design
    return io.Fonts->AddFontDefault(&cfg);
}

void apply_style() {
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();  // start clean so a second apply() does not compound

    s.WindowPadding = ImVec2(kCardPadding, kCardPadding);
    s.WindowRounding = 0.0f;
    s.WindowBorderSize = 0.0f;
    s.ChildRounding = kCardRounding;
    s.ChildBorderSize = 1.0f;
    s.PopupRounding = kCardRounding;
    s.PopupBorderSize = 1.0f;
    s.FramePadding = ImVec2(12.0f, 8.0f);
    s.FrameRounding = kControlRounding;
    s.FrameBorderSize = 1.0f;
    s.ItemSpacing = ImVec2(10.0f, 10.0f);
    s.ItemInnerSpacing = ImVec2(8.0f, 6.0f);
    s.IndentSpacing = 16.0f;
    s.ScrollbarSize = 10.0f;
    s.ScrollbarRounding = 8.0f;
    s.GrabRounding = 6.0f;
    s.TabRounding = 6.0f;
    s.SelectableTextAlign = ImVec2(0.0f, 0.5f);
    s.DisabledAlpha = 0.55f;
    s.AntiAliasedLines = true;
    s.AntiAliasedFill = true;

    ImVec4* c = s.Colors;
    c[ImGuiCol_Text] = vec4(color::text);
    c[ImGuiCol_TextDisabled] = vec4(color::text_faint);
    c[ImGuiCol_WindowBg] = vec4(color::app_bg);
    c[ImGuiCol_ChildBg] = vec4(color::surface);
    c[ImGuiCol_PopupBg] = vec4(color::surface);
    c[ImGuiCol_Border] = vec4(color::border);
    c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_FrameBg] = vec4(color::surface);
    c[ImGuiCol_FrameBgHovered] = vec4(color::surface);
    c[ImGuiCol_FrameBgActive] = vec4(color::surface);
    c[ImGuiCol_TitleBg] = vec4(color::surface);
    c[ImGuiCol_TitleBgActive] = vec4(color::surface);
    c[ImGuiCol_TitleBgCollapsed] = vec4(color::surface);
    c[ImGuiCol_MenuBarBg] = vec4(color::surface);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ScrollbarGrab] = vec4(color::border_strong);
    c[ImGuiCol_ScrollbarGrabHovered] = vec4(color::text_faint);
    c[ImGuiCol_ScrollbarGrabActive] = vec4(color::text_muted);
    c[ImGuiCol_CheckMark] = vec4(color::accent);
    c[ImGuiCol_SliderGrab] = vec4(color::accent);
    c[ImGuiCol_SliderGrabActive] = vec4(color::accent_active);
    c[ImGuiCol_Button] = vec4(color::accent);
    c[ImGuiCol_ButtonHovered] = vec4(color::accent_hover);
    c[ImGuiCol_ButtonActive] = vec4(color::accent_active);
    c[ImGuiCol_Header] = vec4(color::accent_soft);
    c[ImGuiCol_HeaderHovered] = vec4(color::surface_hover);
    c[ImGuiCol_HeaderActive] = vec4(color::surface_active);
    c[ImGuiCol_Separator] = vec4(color::border);
    c[ImGuiCol_SeparatorHovered] = vec4(color::border_strong);
    c[ImGuiCol_SeparatorActive] = vec4(color::accent);
    c[ImGuiCol_ResizeGrip] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ResizeGripHovered] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ResizeGripActive] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_TextSelectedBg] = vec4(rgb(0x4F46E5, 60));
    c[ImGuiCol_NavCursor] = vec4(color::accent_ring);
    c[ImGuiCol_ModalWindowDimBg] = vec4(rgb(0x1A1F2B, 60));
}

}  // namespace

const Fonts& fonts() { return g_fonts; }

void apply(const FontFiles& files) {
    ImGuiIO& io = ImGui::GetIO();

    // The desk is one fixed layout: no imgui.ini to read or write (there is no file system worth
    // writing to in the browser, and panels must not move between sessions).
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.ConfigWindowsMoveFromTitleBarOnly = true;

    io.Fonts->Clear();
    g_fonts.body = load(files.regular, 15.0f);  // first font added = ImGui's default font
    g_fonts.strong = load(files.semibold, 15.0f);
    g_fonts.small = load(files.regular, 13.0f);
    g_fonts.heading = load(files.semibold, 17.0f);
    g_fonts.title = load(files.semibold, 26.0f);

    apply_style();
}

}  // namespace sb::shell::theme
