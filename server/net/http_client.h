// http_client.h: a small asynchronous HTTP/1.1 POST for switchboardd's own outbound requests
// (SMS to the provider, the simulator's webhooks). Plain http:// only; one request per
// connection; a deadline covers resolve, connect, write and read.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>

#include "util/result.h"

namespace sbd {

struct HttpUrl {
    std::string host;
    std::string port = "80";
    std::string target = "/";
};

// "http://host[:port][/path]"; error `bad_url` otherwise.
sb::Result<HttpUrl> parse_http_url(const std::string& url);

struct HttpResponse {
    unsigned status = 0;
    std::string body;
};

using HttpCallback = std::function<void(sb::Result<HttpResponse>)>;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

void http_post(boost::asio::io_context& io, const HttpUrl& url, const std::string& content_type, std::string body,
               std::chrono::milliseconds timeout, HttpCallback done, const HttpHeaders& headers = {});

}  // namespace sbd
