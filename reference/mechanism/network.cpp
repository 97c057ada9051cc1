// SMS-PP network with faults (spec/mechanism.md "faults"; TS 23.040 SMSC store-and-forward with validity period).
#include "reference/mechanism/network.hpp"

namespace mnoswitch::mechanism {

Network::Network(const FaultPlan& faults, std::uint64_t seed, std::uint64_t devices)
    : faults_(faults), prng_(Prng::derive(seed, 0x4E57)), availability_(devices) {
  // Who is offline when is fixed up front (its own stream) so that variants see the same devices go dark.
  Prng who = Prng::derive(seed, 0x0FF1);
  for (auto& a : availability_) {
    if (who.chance(faults_.never_back)) {
      a.offline_from = who.between(0, 60);
      a.online_again = kNever;
    } else if (who.chance(faults_.offline)) {
      a.offline_from = who.between(0, 120);
      a.online_again = a.offline_from + who.between(faults_.offline_min, faults_.offline_max);
    }
  }
}

void Network::send_to_card(Tick now, DeviceIndex d, Party from, SmsTag tag, Bytes tpdu) {
  ++stats_.downlink_submitted;
  if (prng_.chance(faults_.sms_loss)) {
    ++stats_.downlink_lost;
    return;
  }
  const Tick expires = now + faults_.smsc_validity;
  if (prng_.chance(faults_.duplicate)) {
    ++stats_.downlink_duplicated;
    down_.push(Sms{now + 1 + prng_.between(0, faults_.max_delay), expires, d, from, seq_++, tag, tpdu});
  }
  down_.push(Sms{now + 1 + prng_.between(0, faults_.max_delay), expires, d, from, seq_++, tag, std::move(tpdu)});
}

void Network::send_to_operator(Tick now, DeviceIndex d, Party to, SmsTag tag, Bytes tpdu) {
  ++stats_.uplink_submitted;
  if (prng_.chance(faults_.por_loss)) {
    ++stats_.uplink_lost;
    return;
  }
  up_.push(Sms{now + 1 + prng_.between(0, faults_.max_delay), kNever, d, to, seq_++, tag, std::move(tpdu)});
}

std::vector<Sms> Network::deliver_to_cards(Tick now) {
  std::vector<Sms> out;
  while (!down_.empty() && down_.top().due <= now) {
    Sms m = down_.top();
    down_.pop();
    if (online(m.device, now)) {
      ++stats_.downlink_delivered;
      out.push_back(std::move(m));
      continue;
    }
    // The SMSC keeps it until the device is back (one offline window per device) or the validity runs out.
    const Tick back = availability_[m.device].online_again;
    if (back == kNever || back >= m.expires) {
      ++stats_.downlink_expired;
      continue;
    }
    m.due = back;  // seq is kept, so the device still receives its messages in submission order
    down_.push(std::move(m));
  }
  return out;
}

std::vector<Sms> Network::deliver_to_operators(Tick now) {
  std::vector<Sms> out;
  while (!up_.empty() && up_.top().due <= now) {
    out.push_back(up_.top());
    up_.pop();
    ++stats_.uplink_delivered;
  }
  return out;
}

}  // namespace mnoswitch::mechanism
