// Transfers between host and device that cannot dangle: page-locked (pinned) host memory as xtensor
// views, and non-blocking copies whose handle keeps source and destination alive until the copy is
// done on its stream, and gives the result only then.
//
// Device-generic: written against c10's Stream, Event and DeviceGuardImplInterface, so it compiles
// against a CPU-only libtorch (Debian's 1.13) and a CUDA one alike, with no CUDA runtime header.
// Where CUDA is asked for but absent, every call throws conversion_error.
#ifndef XTENSOR_TORCH_TRANSFER_HPP
#define XTENSOR_TORCH_TRANSFER_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <c10/core/DeviceGuard.h>
#include <c10/core/Event.h>
#include <c10/core/Stream.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include "as_tensor.hpp"
#include "detail/device.hpp"
#include "dtype.hpp"
#include "errors.hpp"
#include "to_tensor.hpp"
#include "views.hpp"

namespace xtorch
{
    namespace detail
    {
        /// The CUDA device `device` names (index 0 when it has none), refused when unreachable.
        inline c10::Device cuda_device(c10::Device device, const char* call)
        {
            if (device.type() != c10::DeviceType::CUDA)
            {
                refuse(
                    call, "an asynchronous transfer needs a CUDA device", "device " + device.str(),
                    "device cuda or cuda:i",
                    "Pass torch::Device(torch::kCUDA, i); for host memory use xtorch::as_tensor or xtorch::to_tensor.");
            }
            check_device_available(
                device, call,
                "There are no asynchronous transfers without a GPU: xtorch::to_tensor(e) makes a host "
                "tensor.");
            return device.has_index() ? device : c10::Device(c10::DeviceType::CUDA, 0);
        }

        /// Refuses when this libtorch cannot give pinned memory (no CUDA support or no GPU).
        inline void check_pinned_available(const char* call)
        {
            const int count = visible_cuda_devices();
            if (count == 0)
            {
                refuse(
                    call,
                    "pinned (page-locked) memory needs CUDA, but this libtorch has no CUDA support or no GPU "
                    "is visible",
                    std::to_string(count) + " visible CUDA devices",
                    "a libtorch built with CUDA and a visible GPU",
                    "Use ordinary memory (xt::xarray, or at::empty) where there is no GPU.");
            }
        }

        template <class T, class S>
        c10::SmallVector<std::int64_t, 6> sizes_of(const S& shape)
        {
            c10::SmallVector<std::int64_t, 6> sizes;
            for (auto n : shape)
            {
                sizes.push_back(static_cast<std::int64_t>(n));
            }
            return sizes;
        }
    }

    /**
     * A new, uninitialised xarray_view<T> of the given shape in page-locked host memory: a view of a
     * pinned CPU tensor, which it keeps alive. Copies between it and a device are truly asynchronous
     * (from pageable memory CUDA stages them and `non_blocking` silently blocks). The memory comes from
     * torch's pinned allocator, which does not reuse it while a copy recorded on it is in flight.
     * Refused (conversion_error) without CUDA.
     *
     * **Example**:  auto staging = xtorch::empty_pinned<float>({1024, 1024});  xt::noalias(staging) = data;
     */
    template <class T, class S = std::initializer_list<std::size_t>>
    xarray_view<T> empty_pinned(const S& shape)
    {
        detail::check_pinned_available("xtorch::empty_pinned");
        at::Tensor t = at::empty(detail::sizes_of<T>(shape),
                                 at::TensorOptions().dtype(scalar_type_of<T>()).pinned_memory(true));
        return as_xarray<T>(t);
    }

    /// Whether the memory of t (of any device) is page-locked host memory.
    inline bool is_pinned(const at::Tensor& t)
    {
        return t.defined() && t.is_cpu() && detail::visible_cuda_devices() > 0 && t.is_pinned();
    }

    /// Whether the memory of a view made by as_xarray / empty_pinned is page-locked host memory.
    template <class T>
    bool is_pinned(const xarray_view<T>& view)
    {
        return is_pinned(as_tensor(const_cast<xarray_view<T>&>(view)));
    }

    /**
     * A copy in flight on a device stream, made by to_device_async or to_host_async.
     *
     * It holds the copy's source and destination, so neither can be freed while the copy runs, and
     * gives the destination only once the copy has finished: get() waits for it (an event recorded on
     * the stream right after the copy), ready() asks without waiting. Destroying a transfer that was
     * not waited for waits first, so nothing it holds can be released under the copy. It moves, and
     * does not copy.
     *
     * R is at::Tensor (a device tensor) or xarray_view<T> (pinned host memory).
     */
    template <class R>
    class transfer
    {
    public:

        transfer(at::Tensor source, R destination, c10::Stream stream)
            : m_source(std::move(source))
            , m_destination(std::move(destination))
            , m_stream(stream)
        {
            m_event.emplace(stream.device_type());
            m_event->record(stream);
        }

        transfer(transfer&& rhs)
            : m_source(std::move(rhs.m_source))
            , m_destination(std::move(rhs.m_destination))
            , m_stream(rhs.m_stream)
            , m_event(std::move(rhs.m_event))
            , m_done(rhs.m_done)
        {
            rhs.m_event.reset();  // the moved-from transfer has nothing left to wait for
            rhs.m_done = true;
        }

        transfer& operator=(transfer&&) = delete;
        transfer(const transfer&) = delete;
        transfer& operator=(const transfer&) = delete;

        ~transfer()
        {
            if (m_event.has_value())
            {
                wait();
            }
        }

        /// Whether the copy has finished. Never blocks.
        bool ready() const
        {
            return !m_event.has_value() || m_done || m_event->query();
        }

        /// Blocks until the copy has finished, then releases the source.
        void wait()
        {
            if (!m_done && m_event.has_value())
            {
                // c10::Event has no host-side wait in every libtorch version this builds against; the
                // event is polled, yielding the core, as CUDA's own spin-waits do.
                while (!m_event->query())
                {
                    std::this_thread::yield();
                }
                m_done = true;
                m_source = at::Tensor();
            }
        }

        /// The destination, once the copy has finished (waits for it first). For a host destination
        /// this is the only way to reach the memory: it cannot be read before the copy lands.
        R& get() &
        {
            wait();
            return m_destination;
        }

        /// The same, moving the destination out of a temporary transfer.
        R get() &&
        {
            wait();
            return std::move(m_destination);
        }

        /// The stream the copy was queued on: work queued there later runs after it without waiting.
        c10::Stream stream() const noexcept
        {
            return m_stream;
        }

    private:

        at::Tensor m_source;
        R m_destination;
        c10::Stream m_stream;
        std::optional<c10::Event> m_event;
        bool m_done = false;
    };

    /**
     * Queues a non-blocking copy of the xtensor expression `e` to the CUDA device of `options`, on
     * that device's current stream, with the dtype of `options` (default: e's value type). Returns
     * at once with a transfer whose get() gives the device tensor.
     *
     * `e` is read in place when it has memory: a view made by empty_pinned (or as_xarray of a pinned
     * tensor) makes a truly asynchronous copy and is kept alive by the transfer; an rvalue container
     * moves into it. An lvalue container in ordinary (pageable) memory is borrowed: CUDA copies
     * pageable memory synchronously, so the call returns after the copy has read it. A lazy
     * expression is evaluated into pinned memory first. A cast to another dtype happens on the
     * device, after the transfer: the bytes cross the bus once, in the source's dtype.
     *
     * Refused (conversion_error) without CUDA, or for a device that is not CUDA.
     *
     * **Example**:  auto h = xtorch::to_device_async(pinned, torch::Device(torch::kCUDA));  at::Tensor d = h.get();
     */
    template <class E>
    transfer<at::Tensor> to_device_async(E&& e, const at::TensorOptions& options)
    {
        using D = std::decay_t<E>;
        using value_type = std::remove_const_t<typename D::value_type>;
        constexpr const char* call = "xtorch::to_device_async";
        const c10::Device device = detail::cuda_device(options.device(), call);
        at::Tensor source;
        if constexpr (std::conjunction<xt::has_data_interface<D>,
                                       std::negation<detail::is_read_only<E>>>::value)
        {
            source = detail::share(std::forward<E>(e), call);
        }
        else
        {
            detail::check_pinned_available(call);
            source = at::empty(detail::sizes_of<value_type>(e.shape()),
                               at::TensorOptions().dtype(scalar_type_of<value_type>()).pinned_memory(true));
            detail::evaluate_into(e, source, call);
        }
        const c10::ScalarType dtype =
            options.has_dtype() ? options.dtype().toScalarType() : source.scalar_type();
        const c10::DeviceGuard on_device(device);
        const c10::Stream stream = c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getStream(device);
        // The transfer in the source's dtype, then the cast on the device: the GPU casts at its own
        // memory bandwidth, and the bus carries the source's bytes once.
        at::Tensor moved = at::empty(source.sizes(), source.options().device(device).pinned_memory(false));
        moved.copy_(source, /*non_blocking=*/true);
        at::Tensor destination = dtype == moved.scalar_type() ? moved : moved.to(dtype);
        return transfer<at::Tensor>(std::move(source), std::move(destination), stream);
    }

    /**
     * Queues a non-blocking copy of the CUDA tensor `t` (any dtype and strides) into new pinned host
     * memory of value type T (cast on the device first), on the tensor's device's current stream.
     * Returns at once; get() on the transfer waits for the copy and gives the xarray_view<T>, so the
     * host memory cannot be read before the copy lands.
     *
     * Refused (conversion_error) for a tensor that is not on a CUDA device, and without CUDA.
     *
     * **Example**:  auto h = xtorch::to_host_async<float>(d);  ...  auto v = std::move(h).get();
     */
    template <class T>
    transfer<xarray_view<T>> to_host_async(const at::Tensor& t)
    {
        constexpr const char* call = "xtorch::to_host_async";
        if (!t.defined() || t.device().type() != c10::DeviceType::CUDA)
        {
            detail::refuse(
                call, "the source must be a CUDA tensor",
                t.defined() ? "device " + t.device().str() : std::string("an undefined tensor"),
                "device cuda:i",
                "For host tensors use xtorch::as_xarray<T>(t) (no copy) or xtorch::to_xarray<T>(t).");
        }
        const c10::Device device = detail::cuda_device(t.device(), call);
        detail::check_pinned_available(call);
        at::Tensor source = t.detach();
        if (source.is_conj())
        {
            source = source.resolve_conj();
        }
        if (source.is_neg())
        {
            source = source.resolve_neg();
        }
        if (source.scalar_type() != scalar_type_of<T>())
        {
            source = source.to(scalar_type_of<T>());  // on the device: fewer bytes over the bus when narrower
        }
        at::Tensor host = at::empty(source.sizes(), source.options().device(c10::kCPU).pinned_memory(true));
        const c10::DeviceGuard on_device(device);
        const c10::Stream stream = c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getStream(device);
        host.copy_(source, /*non_blocking=*/true);
        return transfer<xarray_view<T>>(std::move(source), as_xarray<T>(host), stream);
    }
}

#endif
