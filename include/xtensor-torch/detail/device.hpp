// Which devices this libtorch can reach, for the calls that copy to or from one.
#ifndef XTENSOR_TORCH_DETAIL_DEVICE_HPP
#define XTENSOR_TORCH_DETAIL_DEVICE_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <string>

#include "../errors.hpp"

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

        /// Refuses a device that this libtorch cannot reach: CUDA without CUDA support or without a GPU.
        inline void check_device_available(const c10::Device& device, const char* call,
                                           const char* fix = "Ask for at::kCPU instead.")
        {
            if (device.type() != c10::DeviceType::CUDA)
            {
                return;
            }
            const int count = visible_cuda_devices();
            if (count == 0)
            {
                refuse(call, "CUDA was asked for, but this libtorch has no CUDA support or no GPU is visible",
                       "device " + device.str() + " with " + std::to_string(count) + " visible CUDA devices",
                       "a libtorch built with CUDA and a visible GPU", fix);
            }
            if (device.has_index() && device.index() >= count)
            {
                refuse(call, "no such CUDA device", "device " + device.str(),
                       "an index below " + std::to_string(count),
                       "Use torch::Device(torch::kCUDA, i) with i from 0 to " + std::to_string(count - 1)
                           + ".");
            }
        }
    }
}

#endif
