// ToDump's output: the packets a worker transmits on a DPDK net_ring port, written to a pcap file
// by a thread of their own.
//
// Why not DPDK's net_pcap, which reads FromDump's files: its writer stamps every record with the
// time of writing (outputs are not reproducible), cuts chained frames at 16,128 bytes without a
// word, ignores failed writes (a full disk gave "300 out" and a short file), and blocks the worker
// on a FIFO. Here the worker's transmit is a ring enqueue (never blocks, safe for several
// producers), and the writer keeps each packet's timestamp, writes frames whole, applies SNAPLEN,
// and accounts for every packet: written, or not written with the reason.
//
// The records are formatted here rather than through libpcap's pcap_dump: it writes through
// stdio, which reports errors only per flush (no way to tell which records reached the file) and
// cannot wait for a FIFO's reader without blocking for ever.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nb::runtime::detail {

class PcapWriter {
 public:
  // The largest record written (libpcap's MAXIMUM_SNAPLEN): longer frames are refused, counted.
  static constexpr std::uint32_t kMaxRecord = 262144;

  // Opens `file` for ToDump and writes the pcap header (link type Ethernet, microsecond
  // timestamps). A regular file is created or replaced - unless it exists and is not a capture,
  // which is refused rather than destroyed; a FIFO must have its reader already; a character
  // device (/dev/stdout, /dev/null) is written as it is. `label` names the element in messages;
  // `linktype` goes in the file header (1 Ethernet, 101 raw IP). Null with `error` on failure.
  static std::unique_ptr<PcapWriter> open(const std::string& file, const std::string& label, std::uint32_t snaplen,
                                          std::uint32_t linktype, std::string& error);
  ~PcapWriter();

  // Drains `ring` on a thread until finish(). Timestamps come from DPDK's rx timestamp dynamic
  // field for packets received on a port marked with stamps_microseconds().
  void start(rte_ring* ring);
  // Writes what the ring still holds and stops. A FIFO reader that takes nothing for
  // `grace_ms` loses the rest (counted). Idempotent.
  void finish(unsigned grace_ms = 2000);

  // Packets that did not reach the file (failed writes, frames too long, a stalled reader).
  std::uint64_t not_written() const { return not_written_.load(std::memory_order_relaxed); }
  std::uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  // The first failure, "" while there is none.
  std::string failure() const;

  // Marks DPDK port `port_id` as one whose rx timestamps are microseconds since the epoch
  // (net_pcap's: the time its input record states).
  static void stamps_microseconds(std::uint16_t port_id);
  // Looks up the rx timestamp field and flag (registered by nbrun at start-up).
  static void find_timestamp_field();
  // The time a packet's input record states, in microseconds (FromDump's packets: net_pcap's rx
  // timestamp); false when it has none.
  static bool record_time_us(const rte_mbuf* m, std::uint64_t& us);

 private:
  PcapWriter() = default;
  void run();
  void add_record(rte_mbuf* m);
  void flush_buffer();
  // Writes n bytes (waiting for a slow FIFO reader); false with write_error_ and, in `done`, how
  // many bytes were written.
  bool write_all(const unsigned char* p, std::size_t n, std::size_t& done);
  void fail(std::string why);

  int fd_ = -1;
  bool regular_ = false;
  std::string file_, label_;
  std::uint32_t snaplen_ = 0;
  rte_ring* ring_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  unsigned grace_ms_ = 2000;
  std::uint64_t stop_deadline_ns_ = 0;

  std::vector<unsigned char> buffer_;  // whole records not yet written
  std::uint64_t buffered_records_ = 0;
  std::uint64_t good_offset_ = 0;  // the file's length in whole records
  bool failed_ = false;
  bool warned_too_long_ = false;
  std::string write_error_;  // the last write_all failure
  std::atomic<std::uint64_t> written_{0}, not_written_{0};
  mutable std::mutex failure_mutex_;
  std::string failure_;
};

}  // namespace nb::runtime::detail
