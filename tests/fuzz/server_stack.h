// server_stack.h: the server the in-process fuzz targets drive (fuzz_http_request,
// fuzz_server_frames): a SQLite store in a temporary folder with the demo data, contacts and
// routing, verification, the audit log, and payments, wired as main.cpp
// wires them. Anything failing to start aborts: a fuzz run without its server finds nothing.
#pragma once

#include <sodium.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "server/admin/audit.h"
#include "server/store/demo_seed.h"
#include "server/app/log.h"
#include "server/contacts/contact_service.h"
#include "server/payments/payments.h"
#include "server/store/contact_store.h"
#include "server/store/store.h"
#include "server/verify/verification.h"

namespace sbfuzz {

inline int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct ServerStack {
    std::filesystem::path dir;  // removed at exit
    sbd::Logger log{sbd::LogLevel::Error};
    std::unique_ptr<sbd::Store> store;
    std::unique_ptr<sbd::ContactStore> contact_store;
    std::unique_ptr<sbd::AuditLog> audit;
    std::unique_ptr<sbd::ContactService> contacts;
    std::unique_ptr<sbd::VerificationStore> verification_store;
    std::unique_ptr<sbd::VerificationService> verification;
    boost::asio::io_context io;
    std::unique_ptr<sbd::PaymentStore> payment_store;
    std::unique_ptr<sbd::PaymentService> payments;
    uint64_t ids = 0;

    explicit ServerStack(const char* name) {
        if (sodium_init() < 0) std::abort();
        std::string tmpl = std::string("/tmp/sb-fuzz-") + name + "-XXXXXX";
        if (!mkdtemp(tmpl.data())) std::abort();
        dir = tmpl;
        auto opened = sbd::Store::open((dir / "switchboard.db").string());
        if (!opened) std::abort();
        store = std::move(opened.value());
        if (!sbd::seed_demo_data(*store, now_ms()) || !sbd::seed_contact_demo_data(*store, now_ms())) std::abort();
        contact_store = std::make_unique<sbd::ContactStore>(store->database());
        audit = std::make_unique<sbd::AuditLog>(store->database());
        auto random_id = [this] { return "fz" + std::to_string(++ids); };
        contacts = std::make_unique<sbd::ContactService>(
            sbd::ContactService::Deps{*store, *contact_store, log, now_ms, random_id}, sbd::ContactConfig{});
        if (!contacts->load()) std::abort();
        // Codes go nowhere: the fuzzer cannot read them anyway.
        verification_store = std::make_unique<sbd::VerificationStore>(store->database());
        verification = std::make_unique<sbd::VerificationService>(sbd::VerificationService::Deps{
            *verification_store, *contact_store, log, now_ms,
            [](const std::string&, const std::string&, const std::string&) {},
            [](uint32_t bound) { return randombytes_uniform(bound); }});
        verification->set_audit(audit.get());
        contacts->set_verification(verification.get());
        payment_store = std::make_unique<sbd::PaymentStore>(store->database());
        payments = std::make_unique<sbd::PaymentService>(
            sbd::PaymentService::Deps{io, *payment_store, *contact_store, *contacts, log, now_ms, random_id}, nullptr);
        payments->set_audit(audit.get());
        if (!payments->load()) std::abort();
    }
    ~ServerStack() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    ServerStack(const ServerStack&) = delete;
    ServerStack& operator=(const ServerStack&) = delete;
};

}  // namespace sbfuzz
