// Which devices this libtorch can reach, for the calls that copy to or from one; pinned host memory for
// them; waiting for their events.
#ifndef XTENSOR_TORCH_DETAIL_DEVICE_HPP
#define XTENSOR_TORCH_DETAIL_DEVICE_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <atomic>
#include <string>
#include <thread>

#include <ATen/EmptyTensor.h>
#include <c10/core/Event.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include "refusal.hpp"

namespace xtorch
{
    namespace detail
    {
        /**
         * The number of CUDA devices this libtorch can use: 0 without CUDA support or without a GPU.
         * Through ATen's public at::hasCUDA / at::getNumGPUs (the hooks' getNumGPUs is deprecated in
         * torch 2.x), so that it compiles against CPU-only and CUDA libtorch alike.
         */
        inline int visible_cuda_devices()
        {
            return at::hasCUDA() ? static_cast<int>(at::getNumGPUs()) : 0;
        }

        /// "cuda", "xpu", "mps", "privateuseone" (or the name its backend registered).
        inline std::string device_type_name(c10::DeviceType type)
        {
            return c10::DeviceTypeName(type, /*lower_case=*/true);
        }

        /**
         * The number of devices of an accelerator type that this process can use: CUDA's through ATen,
         * any other's through its device guard, which its backend registers when its library is loaded
         * (0 where no backend of that type is loaded).
         */
        inline int device_count(c10::DeviceType type)
        {
            if (type == c10::DeviceType::CUDA)
            {
                return visible_cuda_devices();
            }
            if (!c10::impl::hasDeviceGuardImpl(type))
            {
                return 0;
            }
            return static_cast<int>(c10::impl::getDeviceGuardImpl(type)->deviceCount());
        }

        /**
         * Refuses a device that this libtorch cannot reach: CUDA without CUDA support or without a GPU,
         * another accelerator whose backend is not loaded or has no such device. The CPU (and devices
         * without a backend of their own, such as meta) pass.
         */
        inline void check_device_available(const c10::Device& device, const call_site& call,
                                           const char* fix = "Ask for at::kCPU instead.")
        {
            const c10::DeviceType type = device.type();
            if (type == c10::DeviceType::CPU || type == c10::DeviceType::Meta)
            {
                return;
            }
            const std::string name = device_type_name(type);
            const int count = device_count(type);
            if (count == 0)
            {
                if (type == c10::DeviceType::CUDA)
                {
                    refuse(call,
                           "CUDA was asked for, but this libtorch has no CUDA support or no GPU is visible",
                           "device " + device.str() + " with " + std::to_string(count)
                               + " visible CUDA devices",
                           "a libtorch built with CUDA and a visible GPU", fix);
                }
                const std::string found = "device " + device.str();
                const char* expected = "a device whose backend is loaded, with at least one device";
                const std::string load =
                    std::string("Load the backend first (link or import its library). ") + fix;
                if (c10::impl::hasDeviceGuardImpl(type))
                {
                    refuse(call, "the " + name + " backend is loaded but has no device", found, expected,
                           load);
                }
                refuse(call,
                       "no " + name
                           + " backend is loaded in this process (no device guard is registered for it)",
                       found, expected, load);
            }
            if (device.has_index() && device.index() >= count)
            {
                refuse(call, "no such " + name + " device", "device " + device.str(),
                       "an index below " + std::to_string(count),
                       "Use device " + name + ":i with i from 0 to " + std::to_string(count - 1) + ".");
            }
        }

        /// The accelerator device `device` names, with its index (the current device of its type where it
        /// has none, as torch reads "cuda"); refused for the CPU and for a device this process cannot reach.
        inline c10::Device accelerator_device(c10::Device device, const call_site& call)
        {
            if (device.type() == c10::DeviceType::CPU || device.type() == c10::DeviceType::Meta)
            {
                refuse(
                    call, "an asynchronous transfer needs an accelerator device", "device " + device.str(),
                    "an accelerator such as cuda:i, xpu:i, mps or privateuseone:i",
                    "Pass the accelerator's device, such as torch::Device(torch::kCUDA, i); for host memory "
                    "use xtorch::as_tensor or xtorch::to_tensor.");
            }
            check_device_available(
                device, call,
                "There are no asynchronous transfers without an accelerator: xtorch::to_tensor(e) makes a host "
                "tensor.");
            return device.has_index() ? device : c10::impl::VirtualGuardImpl(device.type()).getDevice();
        }

        /// The page-locked allocator of an accelerator other than CUDA, or nullptr where its backend
        /// gives none (torch before 2.6 has no accelerator hooks for it).
        inline c10::Allocator* accelerator_pinned_allocator(c10::DeviceType type)
        {
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 6)
            if (device_count(type) > 0)
            {
                try
                {
                    return at::globalContext().getPinnedMemoryAllocator(type);
                }
                catch (const c10::Error&)
                {
                    // the backend's hooks have no pinned allocator
                }
            }
#else
            (void)type;
#endif
            return nullptr;
        }

        /**
         * New page-locked host memory for copies with devices of `type`: CUDA's through at::empty, any
         * other accelerator's through its hooks. Where the backend gives none: refused when `required`,
         * otherwise an undefined tensor.
         */
        template <class Sizes>
        at::Tensor empty_pinned_tensor(const Sizes& sizes, c10::ScalarType dtype, c10::DeviceType type,
                                       const call_site& call, bool required)
        {
            const std::string name = device_type_name(type);
            if (type == c10::DeviceType::CUDA)
            {
                const int count = visible_cuda_devices();
                if (count > 0)
                {
                    return at::empty(sizes, at::TensorOptions().dtype(dtype).pinned_memory(true));
                }
                if (required)
                {
                    refuse(
                        call,
                        "pinned (page-locked) memory needs CUDA, but this libtorch has no CUDA support or no "
                        "GPU is visible",
                        std::to_string(count) + " visible CUDA devices",
                        "a libtorch built with CUDA and a visible GPU",
                        "Use ordinary memory (xt::xarray, or at::empty) where there is no GPU.");
                }
                return at::Tensor();
            }
            if (c10::Allocator* allocator = accelerator_pinned_allocator(type))
            {
                return at::detail::empty_generic(sizes, allocator, c10::DispatchKeySet(c10::DispatchKey::CPU),
                                                 dtype, c10::nullopt);
            }
            if (required)
            {
                refuse(call, "the " + name + " backend gives no pinned (page-locked) host memory here",
                       "device type " + name + (device_count(type) == 0 ? " with no device" : "")
                           + " and torch " + TORCH_VERSION,
                       "CUDA, or an accelerator whose hooks give pinned memory (torch 2.6 or later)",
                       "Use ordinary memory: xtorch::to_device_async copies from any xtensor container.");
            }
            return at::Tensor();
        }

        /// Host memory for a copy with a device of `type`: pinned where its backend gives it.
        template <class Sizes>
        at::Tensor empty_host_tensor(const Sizes& sizes, c10::ScalarType dtype, c10::DeviceType type,
                                     const call_site& call)
        {
            at::Tensor pinned = empty_pinned_tensor(sizes, dtype, type, call, /*required=*/false);
            return pinned.defined() ? pinned : at::empty(sizes, at::TensorOptions().dtype(dtype));
        }

        /**
         * Blocks until `event` has been reached: through Event::synchronize() (torch 2.4 and later) where
         * the backend implements it, otherwise by polling, yielding the core. A failure of the work
         * before the event is thrown as the backend reports it.
         */
        inline void wait_for(const c10::Event& event)
        {
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 4)
            // One flag per device type: set once a backend says it cannot synchronize events.
            static std::atomic<bool> polls_only[static_cast<int>(c10::COMPILE_TIME_MAX_DEVICE_TYPES)] = {};
            std::atomic<bool>& polls = polls_only[static_cast<int>(event.device_type())];
            if (!polls.load(std::memory_order_relaxed))
            {
                try
                {
                    event.synchronize();
                    return;
                }
                catch (const c10::Error& e)
                {
                    // DeviceGuardImplInterface's default: "Backend doesn't support synchronizing events."
                    if (e.msg().find("support synchronizing events") == std::string::npos)
                    {
                        throw;
                    }
                    polls.store(true, std::memory_order_relaxed);
                }
            }
#endif
            while (!event.query())
            {
                std::this_thread::yield();
            }
        }
    }
}

#endif
