// shell/per_key.h: what the shell remembers per contact or per call, and forgetting it once that
// contact or call has left the desk.
//
// The panels keep a few things between frames for each contact or call (the reply being typed,
// the wrap-up form, the digits sent on a call). Entries are made on first use and dropped in one
// place, App::frame, by prune() with the liveness that memory kind needs; no panel walks its own
// map to clean up. Pure C++ (no ImGui, no DeskState), so the unit tests use it as it is.
#pragma once

#include <cstddef>
#include <map>
#include <utility>

namespace sb::shell {

template <class Key, class T>
class PerKey {
public:
    using Map = std::map<Key, T>;

    // The entry for `key`, value-initialised the first time it is asked for.
    T& at(const Key& key) { return entries_.try_emplace(key).first->second; }

    // The same, and `init(T&)` runs on a new entry only: memory that starts from something the
    // desk already has (a saved draft) or from what was on screen when it first showed.
    template <class Init>
    T& at(const Key& key, Init&& init) {
        auto [it, fresh] = entries_.try_emplace(key);
        if (fresh) std::forward<Init>(init)(it->second);
        return it->second;
    }

    // The entry for `key` if there is one, without making it.
    T* find(const Key& key) {
        auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : &it->second;
    }
    const T* find(const Key& key) const {
        auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : &it->second;
    }

    // Drops every entry for which `keep(key)` is false. `on_drop(key, T&)` sees each entry just
    // before it goes (to overwrite what must not linger in freed memory).
    template <class Keep>
    void prune(Keep&& keep) {
        prune(std::forward<Keep>(keep), [](const Key&, T&) {});
    }
    template <class Keep, class OnDrop>
    void prune(Keep&& keep, OnDrop&& on_drop) {
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (keep(it->first)) {
                ++it;
                continue;
            }
            on_drop(it->first, it->second);
            it = entries_.erase(it);
        }
    }

    // In key order, for a panel that looks at every entry each frame (typing that went idle).
    typename Map::iterator begin() { return entries_.begin(); }
    typename Map::iterator end() { return entries_.end(); }
    typename Map::const_iterator begin() const { return entries_.begin(); }
    typename Map::const_iterator end() const { return entries_.end(); }

    size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }

private:
    Map entries_;
};

}  // namespace sb::shell
