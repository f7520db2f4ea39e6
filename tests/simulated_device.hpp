// A simulated accelerator for the transfer tests (test code: it is not part of the library).
//
// It is a backend on torch's PrivateUse1 device ("privateuseone"), registered the way an out-of-tree backend
// registers itself: a device guard with streams and events, an allocator, and the few kernels that copies
// need (empty, empty_strided, _copy_from, as_strided, view, fill_). Its memory is host memory, and each
// stream is a worker thread that runs the stream's work in order, every copy after a delay. So a caller that
// reads a copy's result without waiting reads stale values, and a caller that frees a copy's host memory
// while the copy is queued makes the worker read or write freed memory, which AddressSanitizer reports: the
// copies read and write through memcpy, which ASan checks, never inside libtorch's uninstrumented kernels.
//
// Modelled on a CUDA device where it matters to the transfers:
// - device memory is released in stream order (a block freed while work on its stream is queued is freed
//   after that work), as CUDA's caching allocator does;
// - host memory is not protected at all: a copy's host source or destination must be kept alive by the
//   caller until the copy is done (worse than CUDA, whose pinned allocator defers reuse);
// - an error inside a copy surfaces at the next synchronisation on that stream (the query or wait of an
//   event recorded after it), as CUDA's asynchronous errors do.
// With torch 2.6 and later it also gives pinned host memory, through torch's accelerator hooks.
//
// It registers itself when the test program starts: include it in one translation unit only.
#ifndef XTENSOR_TORCH_TEST_SIMULATED_DEVICE_HPP
#define XTENSOR_TORCH_TEST_SIMULATED_DEVICE_HPP

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <ATen/EmptyTensor.h>
#include <ATen/ops/as_strided_native.h>
#include <ATen/ops/view_native.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/library.h>

#include <xtensor-torch/config.hpp>

#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 6)
#include <ATen/detail/PrivateUse1HooksInterface.h>
#define XTORCH_SIM_HAS_PINNED_MEMORY 1
#else
#define XTORCH_SIM_HAS_PINNED_MEMORY 0
#endif
// torch 2.3 made Allocator::allocate non-const and added the pure virtual copy_data.
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 3)
#define XTORCH_SIM_ALLOCATE_CONST
#else
#define XTORCH_SIM_ALLOCATE_CONST const
#endif

namespace xtorch_sim
{
    constexpr c10::DeviceType device_type = c10::DeviceType::PrivateUse1;
    constexpr c10::DeviceIndex device_count = 2;
    constexpr c10::StreamId pool_streams = 3;  // stream ids 1 to 3; 0 is each device's default stream

    inline c10::Device device(c10::DeviceIndex index = 0)
    {
        return c10::Device(device_type, index);
    }

    /// What the tests set and read.
    struct state
    {
        std::atomic<int> copy_delay_us{2000};  // how long each copy waits on its worker before it runs
        std::atomic<int> failing_copies{0};    // the next n copies throw inside the worker
        std::atomic<long> copies_run{0};
        std::atomic<long> device_blocks{0};           // device allocations not yet released
        std::atomic<long> event_synchronizations{0};  // blocking waits through synchronizeEvent
    };

    inline state& sim()
    {
        static state s;
        return s;
    }

    /// Sets the copy delay for a scope.
    class scoped_delay
    {
    public:

        explicit scoped_delay(std::chrono::microseconds delay)
            : m_old(sim().copy_delay_us.exchange(static_cast<int>(delay.count())))
        {
        }

        ~scoped_delay()
        {
            sim().copy_delay_us = m_old;
        }

        scoped_delay(const scoped_delay&) = delete;
        scoped_delay& operator=(const scoped_delay&) = delete;

    private:

        int m_old;
    };

    /// While one is alive (and not released), copies wait on their workers before they start: a test can then
    /// see a copy not done yet without relying on a delay being long enough.
    class hold_copies
    {
    public:

        hold_copies()
        {
            std::lock_guard<std::mutex> lock(mutex());
            held() = true;
        }

        ~hold_copies()
        {
            release();
        }

        hold_copies(const hold_copies&) = delete;
        hold_copies& operator=(const hold_copies&) = delete;

        void release()
        {
            {
                std::lock_guard<std::mutex> lock(mutex());
                held() = false;
            }
            released().notify_all();
        }

        /// Called by a worker before each copy.
        static void pass()
        {
            std::unique_lock<std::mutex> lock(mutex());
            released().wait(lock, [] { return !held(); });
        }

    private:

        static std::mutex& mutex()
        {
            static std::mutex m;
            return m;
        }

        static std::condition_variable& released()
        {
            static std::condition_variable c;
            return c;
        }

        static bool& held()
        {
            static bool h = false;
            return h;
        }
    };

    /// One stream: a worker thread that runs its tasks in the order they were queued.
    class queue
    {
    public:

        queue()
            : m_worker([this] { run(); })
        {
        }

        queue(const queue&) = delete;
        queue& operator=(const queue&) = delete;

        /// Queues a task; a copy waits for the copy delay before it runs.
        void push(std::function<void()> task, bool is_copy)
        {
            {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_tasks.push_back({std::move(task), is_copy});
                ++m_queued;
            }
            m_changed.notify_all();
        }

        bool idle()
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            return m_done == m_queued;
        }

        /// Waits until everything queued so far has run.
        void drain()
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            const std::uint64_t target = m_queued;
            m_changed.wait(lock, [&] { return m_done >= target; });
        }

        /// The error of a task that failed since the last call, if any (for the next event recorded).
        std::exception_ptr take_error()
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            return std::exchange(m_error, nullptr);
        }

    private:

        struct task
        {
            std::function<void()> run;
            bool is_copy;
        };

        void run()
        {
            for (;;)
            {
                task next;
                {
                    std::unique_lock<std::mutex> lock(m_mutex);
                    m_changed.wait(lock, [&] { return !m_tasks.empty(); });
                    next = std::move(m_tasks.front());
                    m_tasks.pop_front();
                }
                std::exception_ptr error;
                try
                {
                    if (next.is_copy)
                    {
                        hold_copies::pass();
                        std::this_thread::sleep_for(std::chrono::microseconds(sim().copy_delay_us.load()));
                        if (sim().failing_copies > 0 && sim().failing_copies-- > 0)
                        {
                            TORCH_CHECK(false,
                                        "simulated device: the copy failed (a fault injected by the test)");
                        }
                        sim().copies_run++;
                    }
                    next.run();
                }
                catch (...)
                {
                    error = std::current_exception();
                }
                next.run = nullptr;  // what the task held is released here, before it counts as done
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    if (error)
                    {
                        m_error = error;
                    }
                    ++m_done;
                }
                m_changed.notify_all();
            }
        }

        std::mutex m_mutex;
        std::condition_variable m_changed;
        std::deque<task> m_tasks;
        std::uint64_t m_queued = 0;
        std::uint64_t m_done = 0;
        std::exception_ptr m_error;
        std::thread m_worker;  // last: it starts once the members above exist
    };

    /// The queue of a stream. The queues live as long as the process (their threads are never joined).
    inline queue& queue_of(c10::DeviceIndex device, c10::StreamId stream)
    {
        TORCH_CHECK(device >= 0 && device < device_count && stream >= 0 && stream <= pool_streams,
                    "simulated device: no stream ", stream, " on device ", static_cast<int>(device));
        static queue* const queues = new queue[device_count * (pool_streams + 1)];
        return queues[device * (pool_streams + 1) + stream];
    }

    inline queue& queue_of(const c10::Stream& stream)
    {
        return queue_of(stream.device_index(), stream.id());
    }

    /// Waits until every stream of every device has run what was queued on it.
    inline void synchronize_all()
    {
        for (c10::DeviceIndex d = 0; d < device_count; ++d)
        {
            for (c10::StreamId s = 0; s <= pool_streams; ++s)
            {
                queue_of(d, s).drain();
            }
        }
    }

    inline c10::DeviceIndex& current_device()
    {
        thread_local c10::DeviceIndex index = 0;
        return index;
    }

    inline c10::StreamId& current_stream_id(c10::DeviceIndex device)
    {
        thread_local c10::StreamId ids[device_count] = {};
        return ids[device];
    }

    inline c10::Stream make_stream(c10::DeviceIndex device, c10::StreamId id)
    {
        return c10::Stream(c10::Stream::UNSAFE, c10::Device(device_type, device), id);
    }

    /// The queue of the current stream of the device.
    inline queue& current_queue(c10::DeviceIndex device)
    {
        return queue_of(device, current_stream_id(device));
    }

    struct event_state
    {
        std::mutex mutex;
        std::condition_variable reached_changed;
        std::uint64_t recorded = 0;  // how many times the event was recorded
        std::uint64_t reached = 0;   // the last recording its stream has reached
        std::exception_ptr error;    // a copy before the marker failed
    };
    using event_handle = std::shared_ptr<event_state>;

    inline bool event_done(event_state& e, std::unique_lock<std::mutex>&)
    {
        if (e.error)
        {
            std::rethrow_exception(std::exchange(e.error, nullptr));
        }
        return e.reached >= e.recorded;
    }

    struct guard_impl final : c10::impl::DeviceGuardImplInterface
    {
        c10::DeviceType type() const override
        {
            return device_type;
        }

        c10::Device exchangeDevice(c10::Device d) const override
        {
            const c10::Device old = getDevice();
            setDevice(d);
            return old;
        }

        c10::Device getDevice() const override
        {
            return c10::Device(device_type, current_device());
        }

        void setDevice(c10::Device d) const override
        {
            TORCH_CHECK(d.type() == device_type && d.index() >= 0 && d.index() < device_count,
                        "simulated device: no device ", d.str());
            current_device() = d.index();
        }

        void uncheckedSetDevice(c10::Device d) const noexcept override
        {
            current_device() = d.index();
        }

        c10::Stream getStream(c10::Device d) const noexcept override
        {
            const c10::DeviceIndex index = d.has_index() ? d.index() : current_device();
            return make_stream(index, current_stream_id(index));
        }

        c10::Stream getDefaultStream(c10::Device d) const override
        {
            return make_stream(d.has_index() ? d.index() : current_device(), 0);
        }

        c10::Stream getStreamFromGlobalPool(c10::Device d, bool = false) const override
        {
            static std::atomic<int> next{0};
            return make_stream(d.has_index() ? d.index() : current_device(),
                               static_cast<c10::StreamId>(1 + next++ % pool_streams));
        }

        c10::Stream exchangeStream(c10::Stream s) const noexcept override
        {
            c10::StreamId& id = current_stream_id(s.device_index());
            const c10::Stream old = make_stream(s.device_index(), id);
            id = s.id();
            return old;
        }

        void destroyEvent(void* event, const c10::DeviceIndex) const noexcept override
        {
            delete static_cast<event_handle*>(event);
        }

        void record(void** event, const c10::Stream& stream, const c10::DeviceIndex,
                    const c10::EventFlag) const override
        {
            if (*event == nullptr)
            {
                *event = new event_handle(std::make_shared<event_state>());
            }
            event_handle e = *static_cast<event_handle*>(*event);
            std::uint64_t generation = 0;
            {
                std::lock_guard<std::mutex> lock(e->mutex);
                generation = ++e->recorded;
            }
            queue* q = &queue_of(stream);
            q->push(
                [e, generation, q]
                {
                    std::exception_ptr error = q->take_error();
                    {
                        std::lock_guard<std::mutex> lock(e->mutex);
                        e->reached = std::max(e->reached, generation);
                        if (error)
                        {
                            e->error = error;
                        }
                    }
                    e->reached_changed.notify_all();
                },
                false);
        }

        void block(void* event, const c10::Stream& stream) const override
        {
            if (event == nullptr)
            {
                return;
            }
            event_handle e = *static_cast<event_handle*>(event);
            std::uint64_t generation = 0;
            {
                std::lock_guard<std::mutex> lock(e->mutex);
                generation = e->recorded;
            }
            queue_of(stream).push(
                [e, generation]
                {
                    std::unique_lock<std::mutex> lock(e->mutex);
                    e->reached_changed.wait(lock, [&] { return e->reached >= generation; });
                },
                false);
        }

        bool queryEvent(void* event) const override
        {
            if (event == nullptr)
            {
                return true;
            }
            event_state& e = **static_cast<event_handle*>(event);
            std::unique_lock<std::mutex> lock(e.mutex);
            return event_done(e, lock);
        }

#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 4)
        void synchronizeEvent(void* event) const override
        {
            if (event == nullptr)
            {
                return;
            }
            sim().event_synchronizations++;
            event_state& e = **static_cast<event_handle*>(event);
            std::unique_lock<std::mutex> lock(e.mutex);
            e.reached_changed.wait(lock, [&] { return e.error || e.reached >= e.recorded; });
            event_done(e, lock);
        }
#endif

        c10::DeviceIndex deviceCount() const noexcept override
        {
            return device_count;
        }

        bool queryStream(const c10::Stream& stream) const override
        {
            return queue_of(stream).idle();
        }

        void synchronizeStream(const c10::Stream& stream) const override
        {
            queue_of(stream).drain();
        }
    };

    /// Device memory: host memory released in stream order, on the stream that was current when it was
    /// allocated (as CUDA's caching allocator reuses a block only after the work queued on its stream).
    struct device_allocator final : c10::Allocator
    {
        struct block
        {
            void* data;
            c10::DeviceIndex device;
            c10::StreamId stream;
        };

        static void release(void* context)
        {
            auto* b = static_cast<block*>(context);
            queue_of(b->device, b->stream)
                .push(
                    [b]
                    {
                        std::free(b->data);
                        delete b;
                        sim().device_blocks--;
                    },
                    false);
        }

        c10::DataPtr allocate(std::size_t n) XTORCH_SIM_ALLOCATE_CONST override
        {
            const c10::DeviceIndex d = current_device();
            void* data = std::malloc(std::max<std::size_t>(n, 1));
            TORCH_CHECK(data != nullptr, "simulated device: out of memory");
            sim().device_blocks++;
            return c10::DataPtr(data, new block{data, d, current_stream_id(d)}, &release, device(d));
        }

#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 3)
        void copy_data(void* dest, const void* src, std::size_t count) const override
        {
            std::memcpy(dest, src, count);
        }
#endif
    };

    inline device_allocator& allocator()
    {
        static device_allocator a;
        return a;
    }

#if XTORCH_SIM_HAS_PINNED_MEMORY
    /// Pinned host memory: ordinary memory that the hooks report as pinned, freed at once when released
    /// (so a copy still queued on it reads freed memory).
    struct pinned_allocator final : c10::Allocator
    {
        static std::mutex& mutex()
        {
            static std::mutex m;
            return m;
        }

        static std::map<std::uintptr_t, std::size_t>& blocks()
        {
            static std::map<std::uintptr_t, std::size_t> b;
            return b;
        }

        static void release(void* data)
        {
            {
                std::lock_guard<std::mutex> lock(mutex());
                blocks().erase(reinterpret_cast<std::uintptr_t>(data));
            }
            std::free(data);
        }

        static bool contains(const void* p)
        {
            const auto address = reinterpret_cast<std::uintptr_t>(p);
            std::lock_guard<std::mutex> lock(mutex());
            auto it = blocks().upper_bound(address);
            if (it == blocks().begin())
            {
                return false;
            }
            --it;
            return address < it->first + std::max<std::size_t>(it->second, 1);
        }

        c10::DataPtr allocate(std::size_t n) override
        {
            void* data = std::malloc(std::max<std::size_t>(n, 1));
            TORCH_CHECK(data != nullptr, "simulated device: out of pinned memory");
            {
                std::lock_guard<std::mutex> lock(mutex());
                blocks()[reinterpret_cast<std::uintptr_t>(data)] = n;
            }
            return c10::DataPtr(data, data, &release, c10::Device(c10::DeviceType::CPU));
        }

        void copy_data(void* dest, const void* src, std::size_t count) const override
        {
            std::memcpy(dest, src, count);
        }
    };

    // The hooks' members differ between torch versions (isBuilt and isAvailable came after 2.6): written
    // without `override`, each overrides where torch declares it and is an unused member where not.
    struct hooks final : at::PrivateUse1HooksInterface
    {
        bool isBuilt() const
        {
            return true;
        }

        bool isAvailable() const
        {
            return true;
        }

        bool hasPrimaryContext(c10::DeviceIndex) const
        {
            return true;
        }

        bool isPinnedPtr(const void* data) const
        {
            return pinned_allocator::contains(data);
        }

        c10::Allocator* getPinnedMemoryAllocator() const
        {
            static pinned_allocator a;
            return &a;
        }

        c10::DeviceIndex deviceCount() const
        {
            return device_count;
        }

        at::Device getDeviceFromPtr(void*) const
        {
            return device(current_device());
        }

        void init() const
        {
        }
    };
#endif

    // The kernels.

    inline bool on_device(const at::Tensor& t)
    {
        return t.device().type() == device_type;
    }

    inline at::Tensor empty(c10::IntArrayRef size, c10::optional<c10::ScalarType> dtype,
                            c10::optional<c10::Layout>, c10::optional<c10::Device> where, c10::optional<bool>,
                            c10::optional<c10::MemoryFormat> memory_format)
    {
        const c10::DeviceGuard guard(where.value_or(device(current_device())));
        return at::detail::empty_generic(size, &allocator(),
                                         c10::DispatchKeySet(c10::DispatchKey::PrivateUse1),
                                         c10::dtype_or_default(dtype), memory_format);
    }

    inline at::Tensor empty_strided(c10::IntArrayRef size, c10::IntArrayRef stride,
                                    c10::optional<c10::ScalarType> dtype, c10::optional<c10::Layout>,
                                    c10::optional<c10::Device> where, c10::optional<bool>)
    {
        const c10::DeviceGuard guard(where.value_or(device(current_device())));
        return at::detail::empty_strided_generic(size, stride, &allocator(),
                                                 c10::DispatchKeySet(c10::DispatchKey::PrivateUse1),
                                                 c10::dtype_or_default(dtype));
    }

    /// A CPU tensor over the memory of t (device or host), for the worker: no ownership.
    struct raw_view
    {
        void* data;
        std::vector<std::int64_t> sizes, strides;
        c10::ScalarType dtype;
        bool conj, neg;  // lazy conjugate and negation bits

        explicit raw_view(const at::Tensor& t)
            : data(t.data_ptr())
            , sizes(t.sizes().begin(), t.sizes().end())
            , strides(t.strides().begin(), t.strides().end())
            , dtype(t.scalar_type())
            , conj(t.is_conj())
            , neg(t.is_neg())
        {
        }

        at::Tensor tensor() const
        {
            at::Tensor t = at::from_blob(data, sizes, strides, at::TensorOptions().dtype(dtype));
            t = conj ? t.conj() : t;
            return neg ? at::_neg_view(t) : t;
        }
    };

    /// Whether a copy from src to dst is a plain memcpy.
    inline bool same_layout(const at::Tensor& src, const at::Tensor& dst)
    {
        return src.scalar_type() == dst.scalar_type() && src.sizes() == dst.sizes() && src.is_contiguous()
               && dst.is_contiguous() && !src.is_conj() && !src.is_neg();
    }

    /// src as a contiguous tensor of dst's dtype and shape, on src's device.
    inline at::Tensor staged_like(const at::Tensor& src, const at::Tensor& dst)
    {
        return src.resolve_conj().resolve_neg().to(dst.scalar_type()).expand_as(dst).contiguous();
    }

    /// dst.copy_(self): host to device, device to host, device to device; casts, strides and broadcasts.
    inline at::Tensor _copy_from(const at::Tensor& self, const at::Tensor& dst, bool non_blocking)
    {
        const c10::Device side = on_device(dst) ? dst.device() : self.device();
        const c10::DeviceGuard guard(side);
        queue& q = current_queue(side.index());
        if (on_device(self) && on_device(dst))
        {
            // Device to device: the worker runs torch's CPU copy on the device memory (device memory
            // outlives the queued work: it is released in stream order).
            q.push([from = raw_view(self), to = raw_view(dst)] { to.tensor().copy_(from.tensor()); }, true);
        }
        else if (on_device(dst))
        {
            // Host to device. The host source is read by the worker, later, and is not kept alive: a
            // temporary made here (for a cast, strides or a broadcast) is kept by the task.
            at::Tensor staged = self;
            at::Tensor keep;
            if (!same_layout(self, dst))
            {
                staged = keep = staged_like(self, dst);
            }
            at::Tensor target = dst.is_contiguous() ? dst : at::empty(dst.sizes(), dst.options());
            q.push([from = staged.data_ptr(), to = target.data_ptr(), n = staged.nbytes(), keep]
                   { std::memcpy(to, from, n); },
                   true);
            if (!target.is_same(dst))
            {
                q.push([from = raw_view(target), to = raw_view(dst)] { to.tensor().copy_(from.tensor()); },
                       true);
            }
        }
        else
        {
            // Device to host: a cast or strides are done on the device first; the host destination is
            // written by the worker, later, and is not kept alive.
            at::Tensor staged = self;
            if (!same_layout(self, dst))
            {
                staged = staged_like(self, dst);
            }
            if (dst.is_contiguous())
            {
                q.push([from = staged.data_ptr(), to = dst.data_ptr(), n = staged.nbytes()]
                       { std::memcpy(to, from, n); },
                       true);
            }
            else
            {
                at::Tensor bounce = at::empty(dst.sizes(), dst.options());
                q.push(
                    [from = staged.data_ptr(), bounce, to = raw_view(dst)]
                    {
                        std::memcpy(bounce.data_ptr(), from, bounce.nbytes());
                        to.tensor().copy_(bounce);
                    },
                    true);
            }
        }
        if (!non_blocking)
        {
            q.drain();
            if (std::exception_ptr error = q.take_error())
            {
                std::rethrow_exception(error);
            }
        }
        return dst;
    }

    inline at::Tensor& fill_(at::Tensor& self, const at::Scalar& value)
    {
        const c10::DeviceGuard guard(self.device());
        current_queue(self.device().index())
            .push([to = raw_view(self), value] { to.tensor().fill_(value); }, true);
        return self;
    }
}

// Plain function pointers, not TORCH_FN: under -fsanitize=undefined GCC cannot check TORCH_FN's static_assert.
TORCH_LIBRARY_IMPL(aten, PrivateUse1, m)
{
    m.impl("empty.memory_format", &xtorch_sim::empty);
    m.impl("empty_strided", &xtorch_sim::empty_strided);
    m.impl("_copy_from", &xtorch_sim::_copy_from);
    m.impl("fill_.Scalar", &xtorch_sim::fill_);
    m.impl("as_strided", &at::native::as_strided_tensorimpl);
    m.impl("view", &at::native::view);
}

// The conjugate and negative views reach _copy_from with their bits (raw_view applies them): without these,
// torch's fallbacks for those bits would materialise the source by a clone, whose copy calls _copy_from again.
TORCH_LIBRARY_IMPL(aten, Conjugate, m)
{
    m.impl("_copy_from", torch::CppFunction::makeFallthrough());
}

TORCH_LIBRARY_IMPL(aten, Negative, m)
{
    m.impl("_copy_from", torch::CppFunction::makeFallthrough());
}

C10_REGISTER_GUARD_IMPL(PrivateUse1, xtorch_sim::guard_impl);

namespace xtorch_sim
{
    inline const bool registered = []
    {
        c10::SetAllocator(device_type, &allocator());
#if XTORCH_SIM_HAS_PINNED_MEMORY
        static hooks h;
        at::RegisterPrivateUse1HooksInterface(&h);
#endif
        return true;
    }();
}

#endif
