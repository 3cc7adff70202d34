// tls.cpp: the server's TLS context (see tls.h).
#include "server/net/tls.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace sbd {

namespace ssl = boost::asio::ssl;

namespace {

std::string openssl_error(const boost::system::error_code& ec, bool* key_mismatch = nullptr) {
    std::string text = ec.message();
    // Asio turns the first queued OpenSSL error into `ec` (its value is the OpenSSL code).
    unsigned long e = ERR_peek_last_error();
    if (key_mismatch)
        *key_mismatch = (e && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) ||
                        (ec.category() == boost::asio::error::get_ssl_category() &&
                         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH);
    if (e) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        text = buf;
    }
    ERR_clear_error();
    return text;
}

// Mozilla's "intermediate" list for TLS 1.2 (TLS 1.3's suites are all fine): ECDHE key exchange
// (forward secrecy) and AEAD ciphers only.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

sb::Result<std::shared_ptr<ssl::context>> load_server_tls(const std::string& cert_file, const std::string& key_file) {
    struct stat st {};
    if (::stat(key_file.c_str(), &st) != 0)
        return sb::make_error("tls_key", "--tls-key " + key_file + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return sb::make_error("tls_key", "--tls-key " + key_file + ": not a regular file");
    if (st.st_mode & (S_IROTH | S_IWOTH)) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return sb::make_error("tls_key_exposed",
                              "--tls-key " + key_file + " is readable by every user of this machine (mode " + mode +
                                  "); whoever reads it can impersonate this server. Restrict it: chmod 600 " + key_file +
                                  " (or 640, group of the account switchboardd runs as)");
    }
    if (::stat(cert_file.c_str(), &st) != 0)
        return sb::make_error("tls_cert", "--tls-cert " + cert_file + ": " + std::strerror(errno));

    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
        return sb::make_error("tls_config", "the TLS 1.2 cipher list was refused by OpenSSL");

    // An encrypted key would make OpenSSL ask for its passphrase on the terminal; a daemon has
    // none, so the empty passphrase fails the load instead.
    ctx->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); });
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec)
        return sb::make_error("tls_cert", "--tls-cert " + cert_file + ": not a PEM certificate chain (" +
                                              openssl_error(ec) + ")");
    ctx->use_private_key_file(key_file, ssl::context::pem, ec);
    bool mismatch = false;
    std::string why = ec ? openssl_error(ec, &mismatch) : "";
    if (mismatch || (!ec && SSL_CTX_check_private_key(native) != 1)) {
        ERR_clear_error();
        return sb::make_error("tls_key", "--tls-key " + key_file + " is not the key of the certificate in " + cert_file);
    }
    if (ec)
        return sb::make_error("tls_key", "--tls-key " + key_file + ": not a PEM private key, or encrypted (" + why + ")");
    return ctx;
}

}  // namespace sbd
