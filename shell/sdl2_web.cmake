# SDL2 for the web app, compiled as part of the web build from Debian's source of this machine's
# own SDL2 (scripts/setup fetches it into the cache and links it as sdl2-src).
#
# No configure step: SDL's own SDL_config.h picks SDL_config_emscripten.h under Emscripten, so the
# sources compile as they are. (SDL's CMake configure ran about 300 checks, each an emcc compile
# or link: five minutes of a cold setup on two cores, one core at a time.) The list below is the
# subsystems and drivers SDL_config_emscripten.h enables, plus the generic parts every build has;
# a file whose subsystem that configuration leaves out compiles to nothing.
set(SB_SDL2_SOURCE_DIR "${SWITCHBOARD_CACHE}/sdl2-src" CACHE PATH "SDL2 source (Debian's libsdl2)")
if(NOT EXISTS "${SB_SDL2_SOURCE_DIR}/include/SDL_config_emscripten.h")
  message(FATAL_ERROR "SDL2 source not found at ${SB_SDL2_SOURCE_DIR}: run ./scripts/setup")
endif()

set(src "${SB_SDL2_SOURCE_DIR}/src")
file(GLOB SB_SDL2_SOURCES CONFIGURE_DEPENDS
  # every platform
  ${src}/*.c ${src}/atomic/*.c ${src}/audio/*.c ${src}/cpuinfo/*.c ${src}/dynapi/*.c
  ${src}/events/*.c ${src}/file/*.c ${src}/haptic/*.c ${src}/joystick/*.c ${src}/libm/*.c
  ${src}/locale/*.c ${src}/misc/*.c ${src}/power/*.c ${src}/render/*.c ${src}/render/software/*.c
  ${src}/render/opengles2/*.c ${src}/sensor/*.c ${src}/stdlib/*.c ${src}/thread/*.c
  ${src}/timer/*.c ${src}/video/*.c ${src}/video/yuv2rgb/*.c
  # Emscripten's drivers, and the dummy ones SDL falls back to
  ${src}/audio/emscripten/*.c ${src}/audio/dummy/*.c ${src}/audio/disk/*.c
  ${src}/video/emscripten/*.c ${src}/joystick/emscripten/*.c ${src}/filesystem/emscripten/*.c
  ${src}/power/emscripten/*.c ${src}/locale/emscripten/*.c ${src}/misc/emscripten/*.c
  ${src}/timer/unix/*.c ${src}/haptic/dummy/*.c ${src}/sensor/dummy/*.c ${src}/loadso/dlopen/*.c
  # single-threaded (SDL_THREADS_DISABLED): the generic thread stubs
  ${src}/thread/generic/*.c)
unset(src)

add_library(sb_sdl2 STATIC ${SB_SDL2_SOURCES})
target_include_directories(sb_sdl2 SYSTEM PUBLIC "${SB_SDL2_SOURCE_DIR}/include")
target_compile_options(sb_sdl2 PRIVATE -w)
