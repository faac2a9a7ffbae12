#include "pcap_writer.hpp"

#include <fmt/format.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace nb::runtime::detail {
namespace {

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::size_t kBufferBytes = 1 << 20;  // more than one largest record

std::array<std::atomic<bool>, RTE_MAX_ETHPORTS> g_microsecond_ports{};
std::atomic<int> g_ts_offset{-1};
std::atomic<std::uint64_t> g_ts_flag{0};

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// pcap's own magic numbers (both byte orders, micro- and nanosecond) and pcapng's.
bool is_capture_magic(const unsigned char* m) {
  std::uint32_t v;
  std::memcpy(&v, m, 4);
  for (std::uint32_t magic : {0xa1b2c3d4u, 0xa1b23c4du, 0x0a0d0d0au}) {
    if (v == magic || v == __builtin_bswap32(magic)) return true;
  }
  return false;
}

template <typename T>
void put(std::vector<unsigned char>& b, T v) {
  const auto* p = reinterpret_cast<const unsigned char*>(&v);
  b.insert(b.end(), p, p + sizeof v);
}

}  // namespace

void PcapWriter::stamps_microseconds(std::uint16_t port_id) {
  if (port_id < RTE_MAX_ETHPORTS) g_microsecond_ports[port_id].store(true, std::memory_order_relaxed);
}

bool PcapWriter::record_time_us(const rte_mbuf* m, std::uint64_t& us) {
  const int offset = g_ts_offset.load(std::memory_order_relaxed);
  if (offset < 0 || !(m->ol_flags & g_ts_flag.load(std::memory_order_relaxed)) || m->port >= RTE_MAX_ETHPORTS ||
      !g_microsecond_ports[m->port].load(std::memory_order_relaxed))
    return false;
  us = *RTE_MBUF_DYNFIELD(m, offset, const std::uint64_t*);
  return true;
}

void PcapWriter::find_timestamp_field() {
  int offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
  int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
  if (offset >= 0 && bit >= 0) {
    g_ts_flag.store(std::uint64_t{1} << bit, std::memory_order_relaxed);
    g_ts_offset.store(offset, std::memory_order_relaxed);
  }
}

std::unique_ptr<PcapWriter> PcapWriter::open(const std::string& file, const std::string& label, std::uint32_t snaplen,
                                             std::uint32_t linktype, std::string& error) {
  std::unique_ptr<PcapWriter> w(new PcapWriter);
  w->file_ = file;
  w->label_ = label;
  w->snaplen_ = snaplen;
  struct stat st {};
  int fd = -1;
  if (::stat(file.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      error = fmt::format("cannot write '{}': it is a directory", file);
      return nullptr;
    }
    if (S_ISFIFO(st.st_mode)) {
      // Non-blocking: opening a FIFO nobody reads would block for ever; writes that the reader
      // does not take in time are counted as lost instead of stalling the run.
      fd = ::open(file.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0 && errno == ENXIO) {
        error = fmt::format(
            "cannot write FIFO '{}': no process has it open for reading; start its reader first "
            "(e.g. tcpdump -n -r '{}')",
            file, file);
        return nullptr;
      }
    } else if (S_ISCHR(st.st_mode)) {
      fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    } else if (S_ISREG(st.st_mode)) {
      if (st.st_size > 0) {
        // ToDump replaces its file; a file that is not a capture was not written by one, and
        // is more likely a config or a routes table named by mistake.
        unsigned char magic[4] = {};
        int rfd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ssize_t n = rfd >= 0 ? ::read(rfd, magic, 4) : -1;
        if (rfd >= 0) ::close(rfd);
        if (n != 4 || !is_capture_magic(magic)) {
          error = fmt::format(
              "'{}' exists and is not a capture file: ToDump would replace it; remove it or write "
              "to another file",
              file);
          return nullptr;
        }
      }
      fd = ::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
      w->regular_ = true;
    } else {
      error = fmt::format("cannot write '{}': it is not a regular file, a FIFO or a character device", file);
      return nullptr;
    }
  } else {
    fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    w->regular_ = true;
  }
  if (fd < 0) {
    error = fmt::format("cannot create pcap file '{}': {}", file, std::strerror(errno));
    return nullptr;
  }
  w->fd_ = fd;
  w->buffer_.reserve(kBufferBytes);
  put<std::uint32_t>(w->buffer_, kPcapMagicMicro);
  put<std::uint16_t>(w->buffer_, 2);
  put<std::uint16_t>(w->buffer_, 4);
  put<std::int32_t>(w->buffer_, 0);
  put<std::uint32_t>(w->buffer_, 0);
  put<std::uint32_t>(w->buffer_, snaplen ? snaplen : kMaxRecord);
  put<std::uint32_t>(w->buffer_, linktype);
  std::size_t done = 0;
  if (!w->write_all(w->buffer_.data(), w->buffer_.size(), done)) {
    error = fmt::format("cannot write pcap file '{}': {}", file, w->write_error_);
    return nullptr;
  }
  w->good_offset_ = w->buffer_.size();
  w->buffer_.clear();
  return w;
}

PcapWriter::~PcapWriter() {
  finish();
  if (fd_ >= 0) ::close(fd_);
}

void PcapWriter::start(rte_ring* ring) {
  ring_ = ring;
  thread_ = std::thread([this] { run(); });
}

void PcapWriter::finish(unsigned grace_ms) {
  if (!thread_.joinable()) return;
  grace_ms_ = grace_ms;
  stopping_.store(true, std::memory_order_release);
  thread_.join();
}

std::string PcapWriter::failure() const {
  std::lock_guard<std::mutex> lock(failure_mutex_);
  return failure_;
}

void PcapWriter::fail(std::string why) {
  if (failed_) return;
  failed_ = true;
  {
    std::lock_guard<std::mutex> lock(failure_mutex_);
    failure_ = why;
  }
  // Said at once (a long run should not hide it until the end), and again in the summary.
  fmt::print(stderr,
             "\nnbrun: error: {}: writing '{}' failed after {} packets: {}; packets not written count as "
             "dropped\n",
             label_, file_, written_.load(), why);
  // Keep the file a readable capture: whole records only.
  if (regular_ && ::ftruncate(fd_, static_cast<off_t>(good_offset_)) != 0) {
    // Nothing more can be done; the summary reports the failure already.
  }
}

bool PcapWriter::write_all(const unsigned char* p, std::size_t n, std::size_t& done) {
  std::uint64_t stalled_since = 0;
  done = 0;
  while (n > 0) {
    ssize_t k = ::write(fd_, p, n);
    if (k > 0) {
      p += k;
      done += static_cast<std::size_t>(k);
      n -= static_cast<std::size_t>(k);
      stalled_since = 0;
      continue;
    }
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && errno == EAGAIN) {
      // A FIFO whose reader is slow: wait for it, but not past the end of the run's grace.
      pollfd pfd{fd_, POLLOUT, 0};
      ::poll(&pfd, 1, 100);
      if (stopping_.load(std::memory_order_acquire)) {
        std::uint64_t now = now_ns();
        if (!stalled_since) stalled_since = now;
        if (now - stalled_since > std::uint64_t{grace_ms_} * 1000000) {
          write_error_ = "its reader stopped taking data";
          return false;
        }
      }
      continue;
    }
    write_error_ = k == 0 ? std::string("nothing was written") : std::string(std::strerror(errno));
    return false;
  }
  return true;
}

void PcapWriter::flush_buffer() {
  if (buffer_.empty()) return;
  std::uint64_t records = buffered_records_;
  if (!failed_) {
    std::size_t done = 0;
    if (write_all(buffer_.data(), buffer_.size(), done)) {
      good_offset_ += buffer_.size();
      written_.fetch_add(records, std::memory_order_relaxed);
      records = 0;
    } else {
      // The records that reached the file whole stay (a full disk keeps what fitted); the file is
      // cut back to the end of the last of them.
      std::size_t at = 0;
      while (records && at + 16 <= done) {
        std::uint32_t caplen;
        std::memcpy(&caplen, buffer_.data() + at + 8, 4);
        if (at + 16 + caplen > done) break;
        at += 16 + caplen;
        --records;
        written_.fetch_add(1, std::memory_order_relaxed);
      }
      good_offset_ += at;
      fail(write_error_);
    }
  }
  not_written_.fetch_add(records, std::memory_order_relaxed);
  buffer_.clear();
  buffered_records_ = 0;
}

void PcapWriter::add_record(rte_mbuf* m) {
  std::uint32_t len = rte_pktmbuf_pkt_len(m);
  std::uint32_t caplen = snaplen_ && snaplen_ < len ? snaplen_ : len;
  if (caplen > kMaxRecord || failed_) {
    if (caplen > kMaxRecord && !failed_ && !warned_too_long_) {
      warned_too_long_ = true;
      fmt::print(stderr,
                 "nbrun: warning: {}: a {}-byte frame is longer than a pcap record can be ({} bytes): not "
                 "written, counted as dropped\n",
                 label_, len, kMaxRecord);
    }
    not_written_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (buffer_.size() + 16 + caplen > kBufferBytes) flush_buffer();
  std::uint32_t sec, usec;
  int offset = g_ts_offset.load(std::memory_order_relaxed);
  if (offset >= 0 && (m->ol_flags & g_ts_flag.load(std::memory_order_relaxed)) && m->port < RTE_MAX_ETHPORTS &&
      g_microsecond_ports[m->port].load(std::memory_order_relaxed)) {
    std::uint64_t us = *RTE_MBUF_DYNFIELD(m, offset, std::uint64_t*);
    sec = static_cast<std::uint32_t>(us / 1000000);
    usec = static_cast<std::uint32_t>(us % 1000000);
  } else {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    sec = static_cast<std::uint32_t>(ts.tv_sec);
    usec = static_cast<std::uint32_t>(ts.tv_nsec / 1000);
  }
  put<std::uint32_t>(buffer_, sec);
  put<std::uint32_t>(buffer_, usec);
  put<std::uint32_t>(buffer_, caplen);
  put<std::uint32_t>(buffer_, len);
  std::size_t at = buffer_.size();
  buffer_.resize(at + caplen);
  std::uint32_t copied = 0;
  for (const rte_mbuf* seg = m; seg && copied < caplen; seg = seg->next) {
    std::uint32_t n = std::min<std::uint32_t>(seg->data_len, caplen - copied);
    std::memcpy(buffer_.data() + at + copied, rte_pktmbuf_mtod(seg, const unsigned char*), n);
    copied += n;
  }
  if (copied < caplen) {  // a chain shorter than its pkt_len: write what it holds
    buffer_.resize(at + copied);
    std::uint32_t fixed = copied;
    std::memcpy(buffer_.data() + at - 8, &fixed, 4);
  }
  ++buffered_records_;
}

void PcapWriter::run() {
  // An lcore id of its own gives this thread a mempool cache: freeing goes to the pool's shared
  // ring in bulk, not once per packet. Several threads hammering that ring on fewer CPUs (a
  // writer per ToDump, the worker, other load) stall each other: one preempted between moving
  // the ring's head and its tail makes the others spin for a whole time slice.
  bool registered = rte_thread_register() == 0;
  rte_mbuf* burst[64];
  for (;;) {
    unsigned n = rte_ring_dequeue_burst(ring_, reinterpret_cast<void**>(burst), 64, nullptr);
    if (n == 0) {
      flush_buffer();  // what was written is visible to readers while the run goes on
      if (stopping_.load(std::memory_order_acquire) && rte_ring_empty(ring_)) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    for (unsigned i = 0; i < n; ++i) add_record(burst[i]);
    rte_pktmbuf_free_bulk(burst, n);
  }
  flush_buffer();
  if (registered) rte_thread_unregister();
}

}  // namespace nb::runtime::detail
