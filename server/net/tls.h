// tls.h: switchboardd's TLS server settings (--tls-cert, --tls-key): the certificate chain and
// key as PEM files, TLS 1.2 and 1.3 only, forward-secret AEAD ciphers with the server's
// preference, no compression, no renegotiation. The key file must not be readable by every user
// of the machine; a key anyone can read is refused rather than served.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "util/result.h"

namespace sbd {

// Errors: `tls_key_exposed` (the key file is world-readable), `tls_key` and `tls_cert`
// (missing, unreadable, not PEM, or not a pair); each message names the file and what to do.
sb::Result<std::shared_ptr<boost::asio::ssl::context>> load_server_tls(const std::string& cert_file,
                                                                       const std::string& key_file);

}  // namespace sbd
