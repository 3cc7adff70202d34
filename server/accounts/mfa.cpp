// mfa.cpp: policy, keys, challenges, recovery codes and QR (see mfa.h).
#include "server/accounts/mfa.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

#include <qrencode.h>
#include <sodium.h>

#include "agent/totp.h"
#include "server/accounts/auth.h"
#include "protocol/schema.h"

namespace sbd {

// ---- policy -------------------------------------------------------------------------------------
std::optional<MfaPolicy> parse_mfa_policy(std::string_view s) {
    if (s == "required") return MfaPolicy::Required;
    if (s == "optional") return MfaPolicy::Optional;
    if (s == "off") return MfaPolicy::Off;
    return std::nullopt;
}

MfaNeed mfa_need(MfaPolicy server, std::string_view agent_policy, bool enrolled) {
    MfaPolicy p = agent_policy == "required" ? MfaPolicy::Required : agent_policy == "off" ? MfaPolicy::Off : server;
    switch (p) {
        case MfaPolicy::Off: return MfaNeed::None;
        case MfaPolicy::Required: return enrolled ? MfaNeed::Code : MfaNeed::Enroll;
        case MfaPolicy::Optional: return enrolled ? MfaNeed::Code : MfaNeed::None;
    }
    return MfaNeed::Enroll;
}

// ---- MfaKeys ------------------------------------------------------------------------------------
sb::Result<MfaKeys> MfaKeys::load_or_create(const std::string& path) {
    MfaKeys k;
    std::ifstream in(path, std::ios::binary);
    if (in) {
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (bytes.size() != crypto_secretbox_KEYBYTES)
            return sb::make_error("mfa_key", "the MFA key file " + path + " is not 32 bytes");
        k.key_ = std::move(bytes);
        return k;
    }
    k = random();
    mode_t old = ::umask(077);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(k.key_.data(), static_cast<std::streamsize>(k.key_.size()));
    out.close();
    ::umask(old);
    if (!out) return sb::make_error("mfa_key", "cannot write the MFA key file " + path);
    return k;
}

MfaKeys MfaKeys::random() {
    MfaKeys k;
    k.key_.resize(crypto_secretbox_KEYBYTES);
    randombytes_buf(k.key_.data(), k.key_.size());
    return k;
}

std::string MfaKeys::seal(std::string_view secret) const {
    std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret.size(), '\0');
    auto* b = reinterpret_cast<unsigned char*>(box.data());
    randombytes_buf(b, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(b + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(secret.data()),
                          secret.size(), b, reinterpret_cast<const unsigned char*>(key_.data()));
    std::string out(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), b, box.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

sb::Result<std::string> MfaKeys::open(std::string_view sealed) const {
    std::string box(sealed.size(), '\0');
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), sealed.data(), sealed.size(),
                          nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return sb::make_error(sb::protocol::code::internal, "a sealed MFA secret is corrupt");
    const auto* b = reinterpret_cast<const unsigned char*>(box.data());
    std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), b + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, b,
                                   reinterpret_cast<const unsigned char*>(key_.data())) != 0)
        return sb::make_error(sb::protocol::code::internal, "a sealed MFA secret does not open with this server's key");
    return plain;
}

std::string MfaKeys::recovery_code_hash(std::string_view agent, std::string_view normalized_code) const {
    return keyed_hash(std::string(agent) + '\n' + std::string(normalized_code));
}

std::string MfaKeys::keyed_hash(std::string_view input, std::string_view purpose) const {
    unsigned char digest[32];
    if (purpose.empty()) {  // (recovery codes: hashes stored before purposes existed)
        crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                           reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
    } else {
        unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] = {};
        std::memcpy(personal, purpose.data(), std::min(purpose.size(), sizeof personal));
        crypto_generichash_blake2b_salt_personal(digest, sizeof digest, reinterpret_cast<const unsigned char*>(input.data()),
                                                 input.size(), reinterpret_cast<const unsigned char*>(key_.data()),
                                                 key_.size(), nullptr, personal);
    }
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

std::string sms_code_hash(const MfaKeys* keys, const std::string& contact, const std::string& code) {
    std::string in = contact + ":" + code;
    if (keys) return keys->keyed_hash(in, "sb-sms-code");
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(in.data()), in.size(), nullptr, 0);
    char hex[crypto_generichash_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

// ---- challenges ---------------------------------------------------------------------------------
std::string MfaChallenges::issue(MfaChallenge challenge) {
    std::string token = new_token();
    by_hash_[token_hash(token)] = std::move(challenge);
    return token;
}

MfaChallenge* MfaChallenges::find(const std::string& token) {
    auto it = by_hash_.find(token_hash(token));
    return it == by_hash_.end() ? nullptr : &it->second;
}

void MfaChallenges::erase(const std::string& token) { by_hash_.erase(token_hash(token)); }

void MfaChallenges::forget_expired(int64_t now) {
    for (auto it = by_hash_.begin(); it != by_hash_.end();)
        it = it->second.expires_at <= now ? by_hash_.erase(it) : std::next(it);
}

// ---- recovery codes -----------------------------------------------------------------------------
std::vector<std::string> new_recovery_codes() {
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";  // no i, l, o, 0, 1
    const uint32_t n = sizeof alphabet - 1;
    std::vector<std::string> out;
    for (int i = 0; i < kRecoveryCodes; ++i) {
        std::string code;
        for (int j = 0; j < 10; ++j) code += alphabet[randombytes_uniform(n)];
        out.push_back(std::move(code));
    }
    return out;
}

std::string new_totp_secret() {
    std::string s(20, '\0');
    randombytes_buf(s.data(), s.size());
    return s;
}

// ---- QR -----------------------------------------------------------------------------------------
sb::Result<QrMatrix> qr_matrix(std::string_view text) {
    std::string s(text);
    QRcode* qr = QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M);
    if (!qr) return sb::make_error(sb::protocol::code::internal, "libqrencode could not encode the enrollment URI");
    QrMatrix m;
    m.size = qr->width;
    m.modules.reserve(static_cast<size_t>(qr->width) * qr->width);
    for (int i = 0; i < qr->width * qr->width; ++i) m.modules += (qr->data[i] & 1) ? '1' : '0';
    QRcode_free(qr);
    return m;
}

}  // namespace sbd
