# Writes OUT, a C++ file with the customer chat page's three files (web/chat/: index.html,
# chat.css, chat.js) as the strings chat_page_html(), chat_page_css() and chat_page_js() return
# (declared in net/http_api.h). The page is a real file of the web app, edited and checked as
# such; switchboardd serves it from memory, with or without a --web-root.
# cmake -DSRC=<web/chat> -DOUT=<file.cpp> -P embed_chat_page.cmake
set(delimiter "sbchat")
set(body "// Generated from web/chat/ by server/channels/embed_chat_page.cmake: edit those files.\n")
string(APPEND body "#include \"server/net/http_api.h\"\n\nnamespace sbd {\n")
foreach(pair "html:index.html" "css:chat.css" "js:chat.js")
  string(REPLACE ":" ";" parts "${pair}")
  list(GET parts 0 name)
  list(GET parts 1 file)
  file(READ "${SRC}/${file}" text)
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${SRC}/${file} contains )${delimiter}\": pick another delimiter")
  endif()
  string(APPEND body "\nconst std::string& chat_page_${name}() {\n"
                     "    static const std::string text = R\"${delimiter}(${text})${delimiter}\";\n"
                     "    return text;\n}\n")
endforeach()
string(APPEND body "\n}  // namespace sbd\n")
file(WRITE "${OUT}.new" "${body}")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
