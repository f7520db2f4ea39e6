// Transfers between host and device that cannot dangle: page-locked (pinned) host memory as xtensor
// views, and non-blocking copies whose handle keeps source and destination alive until the copy is
// done on its stream, and gives the result only then.
//
// Device-generic: written against c10's Stream, Event and DeviceGuardImplInterface, which every torch
// accelerator implements (CUDA, XPU, MPS, and out-of-tree backends on PrivateUse1), and against the
// accelerator hooks for pinned memory (torch 2.6 and later; CUDA's on every version). It compiles
// against a CPU-only libtorch (Debian's 1.13) and a CUDA one alike, with no CUDA runtime header.
// Where the device asked for is not there, every call throws conversion_error.
#ifndef XTENSOR_TORCH_TRANSFER_HPP
#define XTENSOR_TORCH_TRANSFER_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <c10/core/DeviceGuard.h>
#include <c10/core/Event.h>
#include <c10/core/Stream.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include "as_tensor.hpp"
#include "detail/copy.hpp"
#include "detail/device.hpp"
#include "detail/ownership.hpp"
#include "detail/refusal.hpp"
#include "dtype.hpp"
#include "views.hpp"

namespace xtorch
{
    /**
     * A new, uninitialised xarray_view<T> of the given shape in page-locked host memory for copies with
     * devices of `device`'s type (default CUDA): a view of a pinned CPU tensor, which it keeps alive.
     * Copies between it and a device are truly asynchronous (from pageable memory CUDA stages them and
     * `non_blocking` silently blocks). CUDA's memory comes from torch's pinned allocator, which does not
     * reuse it while a copy recorded on it is in flight; another accelerator's from its backend's
     * hooks (torch 2.6 and later). Refused (conversion_error) where the backend gives none.
     *
     * **Example**:  auto staging = xtorch::empty_pinned<float>({1024, 1024});  xt::noalias(staging) = data;
     */
    template <class T, class S = std::initializer_list<std::size_t>>
    xarray_view<T> empty_pinned(const S& shape, c10::Device device = c10::Device(c10::DeviceType::CUDA))
    {
        return as_xarray<T>(detail::empty_pinned_tensor(detail::sizes_of(shape), scalar_type_of<T>(),
                                                        device.type(), "xtorch::empty_pinned",
                                                        /*required=*/true));
    }

    /// Whether the memory of t is page-locked host memory, for CUDA or for another accelerator whose
    /// backend is loaded (the latter with torch 2.6 and later).
    inline bool is_pinned(const at::Tensor& t)
    {
        if (!t.defined() || !t.is_cpu())
        {
            return false;
        }
        if (detail::visible_cuda_devices() > 0 && t.is_pinned())
        {
            return true;
        }
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 6)
        for (const c10::DeviceType type :
             {c10::DeviceType::XPU, c10::DeviceType::MPS, c10::DeviceType::PrivateUse1})
        {
            try
            {
                if (detail::device_count(type) > 0 && at::globalContext().isPinnedPtr(t.data_ptr(), type))
                {
                    return true;
                }
            }
            catch (const c10::Error&)
            {
                // no hooks for this type
            }
        }
#endif
        return false;
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
     * the stream right after the copy), ready() asks without waiting. A failure inside the copy is
     * thrown by get() and wait() as the backend reports it (c10::Error), each time they are called.
     * Destroying a transfer that was not waited for waits first (and drops such a failure), so nothing
     * it holds can be released under the copy. It moves, and does not copy.
     *
     * R is at::Tensor (a device tensor) or xarray_view<T> (host memory, pinned where the backend gives it).
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
            , m_failure(std::move(rhs.m_failure))
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
            try
            {
                wait();
            }
            catch (...)
            {
                // A failed copy that nobody asked for: waiting was all that mattered here.
            }
        }

        /// Whether the copy has finished (or failed). Never blocks.
        bool ready() const
        {
            if (m_done || m_failure || !m_event.has_value())
            {
                return true;
            }
            try
            {
                return m_event->query();
            }
            catch (const c10::Error&)
            {
                m_failure = std::current_exception();  // thrown by wait() and get()
                return true;
            }
        }

        /// Blocks until the copy has finished, then releases the source. Throws the copy's failure.
        void wait()
        {
            if (!m_done && m_event.has_value() && !m_failure)
            {
                try
                {
                    detail::wait_for(*m_event);
                }
                catch (const c10::Error&)
                {
                    m_failure = std::current_exception();
                }
            }
            if (!m_done)
            {
                m_done = true;
                m_source = at::Tensor();
            }
            if (m_failure)
            {
                std::rethrow_exception(m_failure);
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
        mutable std::exception_ptr m_failure;  // set by ready() too
        bool m_done = false;
    };

    /**
     * Queues a non-blocking copy of the xtensor expression `e` to the accelerator device of `options`
     * (CUDA, XPU, MPS, PrivateUse1...), on that device's current stream, with the dtype of `options`
     * (default: e's value type). Returns at once with a transfer whose get() gives the device tensor.
     *
     * `e` is read in place when it has memory the transfer can keep alive: a view made by empty_pinned
     * (or as_xarray of a tensor) makes a truly asynchronous copy and is kept alive by the transfer; an
     * rvalue container moves into it. An lvalue container is borrowed, so it must be read before the
     * call returns: CUDA reads pageable memory synchronously; for other devices it is first copied
     * into host memory the transfer owns. A lazy expression is evaluated into pinned memory (ordinary
     * memory where the backend gives none) first. A cast to another dtype happens on the device,
     * after the transfer: the bytes cross the bus once, in the source's dtype.
     *
     * Refused (conversion_error) for the CPU, and for a device this process cannot reach.
     *
     * **Example**:  auto h = xtorch::to_device_async(pinned, torch::Device(torch::kCUDA));  at::Tensor d = h.get();
     */
    template <class E>
    transfer<at::Tensor> to_device_async(E&& e, const at::TensorOptions& options)
    {
        using D = std::decay_t<E>;
        using value_type = std::remove_const_t<typename D::value_type>;
        constexpr const char* call = "xtorch::to_device_async";
        const c10::Device device = detail::accelerator_device(options.device(), call);
        at::Tensor source;
        if constexpr (std::conjunction<xt::has_data_interface<D>,
                                       std::negation<detail::is_read_only<E>>>::value)
        {
            // Borrowed: memory the transfer cannot keep alive (neither a tensor's nor moved in with its owner).
            const bool borrowed = detail::find_storage(e) == nullptr
                                  && !(!std::is_lvalue_reference<E>::value && detail::owns_memory<D>::value);
            source = detail::share(std::forward<E>(e), call);
            if (borrowed && device.type() != c10::DeviceType::CUDA)
            {
                // The caller's memory cannot be kept alive, and this backend may read it late.
                at::Tensor owned =
                    detail::empty_host_tensor(source.sizes(), source.scalar_type(), device.type(), call);
                owned.copy_(source);
                source = std::move(owned);
            }
        }
        else
        {
            source = detail::empty_host_tensor(detail::sizes_of(e.shape()), scalar_type_of<value_type>(),
                                               device.type(), call);
            detail::evaluate_into(e, source, call);
        }
        const c10::ScalarType dtype =
            options.has_dtype() ? options.dtype().toScalarType() : source.scalar_type();
        const c10::DeviceGuard on_device(device);
        const c10::Stream stream = c10::impl::VirtualGuardImpl(device.type()).getStream(device);
        // The transfer in the source's dtype, then the cast on the device: the device casts at its own
        // memory bandwidth, and the bus carries the source's bytes once.
        at::Tensor moved =
            at::empty(source.sizes(), at::TensorOptions().dtype(source.scalar_type()).device(device));
        moved.copy_(source, /*non_blocking=*/true);
        at::Tensor destination = dtype == moved.scalar_type() ? moved : moved.to(dtype);
        return transfer<at::Tensor>(std::move(source), std::move(destination), stream);
    }

    /**
     * Queues a non-blocking copy of the accelerator tensor `t` (any dtype and strides) into new host
     * memory of value type T (pinned where the backend gives it; cast on the device first), on the
     * tensor's device's current stream. Returns at once; get() on the transfer waits for the copy and
     * gives the xarray_view<T>, so the host memory cannot be read before the copy lands.
     *
     * Refused (conversion_error) for a tensor that is not on an accelerator this process can reach.
     *
     * **Example**:  auto h = xtorch::to_host_async<float>(d);  ...  auto v = std::move(h).get();
     */
    template <class T>
    transfer<xarray_view<T>> to_host_async(const at::Tensor& t)
    {
        constexpr const char* call = "xtorch::to_host_async";
        if (!t.defined() || t.device().type() == c10::DeviceType::CPU
            || t.device().type() == c10::DeviceType::Meta)
        {
            detail::refuse(
                call, "the source must be a tensor on an accelerator device",
                t.defined() ? "device " + t.device().str() : std::string("an undefined tensor"),
                "an accelerator such as cuda:i, xpu:i, mps or privateuseone:i",
                "For host tensors use xtorch::as_xarray<T>(t) (no copy) or xtorch::to_xarray<T>(t).");
        }
        const c10::Device device = detail::accelerator_device(t.device(), call);
        at::Tensor source = t.detach();
        if (source.is_conj())
        {
            source = source.resolve_conj();
        }
        if (source.is_neg())
        {
            source = source.resolve_neg();
        }
        const c10::DeviceGuard on_device(device);
        if (source.scalar_type() != scalar_type_of<T>())
        {
            source = source.to(scalar_type_of<T>());  // on the device: fewer bytes over the bus when narrower
        }
        at::Tensor host =
            detail::empty_host_tensor(source.sizes(), source.scalar_type(), device.type(), call);
        const c10::Stream stream = c10::impl::VirtualGuardImpl(device.type()).getStream(device);
        host.copy_(source, /*non_blocking=*/true);
        return transfer<xarray_view<T>>(std::move(source), as_xarray<T>(host), stream);
    }
}

#endif
