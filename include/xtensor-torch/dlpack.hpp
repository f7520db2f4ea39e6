// DLPack both ways, without copying: to_dlpack / to_dlpack_versioned (xtensor expression -> DLPack tensor)
// and from_dlpack<T> (DLPack tensor -> xarray_view<T>), for the legacy DLManagedTensor and DLPack 1.x's
// DLManagedTensorVersioned (with its version and read-only flag).
//
// The DLPack header is torch's <ATen/dlpack.h> (0.6 in torch 1.13, 0.8 in torch 2.6, 1.x from torch 2.9; it
// shares its include guard with libdlpack-dev's, so either may come first). Where it predates 1.0, the
// versioned struct is declared here with the ABI that DLPack 1.0 fixes. DLPack before 0.8 has no bool type:
// bool elements are refused at compile time there.
#ifndef XTENSOR_TORCH_DLPACK_HPP
#define XTENSOR_TORCH_DLPACK_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <ATen/DLConvertor.h>
#include <ATen/dlpack.h>

#include "detail/dlpack.hpp"
#include "detail/ownership.hpp"
#include "detail/view_types.hpp"

namespace xtorch
{
    /**
     * A DLPack tensor over the memory of the xtensor expression `e`, without copying; the caller owns
     * the returned pointer and hands it to a consumer (numpy.from_dlpack, torch.utils.dlpack.from_dlpack,
     * at::fromDLPack), which calls its deleter when done.
     *
     * Ownership follows as_tensor: from an lvalue it borrows (the memory must outlive every consumer),
     * from an rvalue container it takes the container over and frees it in the deleter; a view made by
     * as_xarray keeps the tensor's storage alive. Accepts what as_tensor accepts, with the same refusals
     * (negative strides at run time, lazy and const expressions at compile time); bool elements are
     * refused at compile time where bool does not cross DLPack (before torch 2.2 or DLPack 0.8).
     *
     * **Example**:  DLManagedTensor* m = xtorch::to_dlpack(std::move(a));  // a's buffer, now owned by m
     */
    template <class E>
    DLManagedTensor* to_dlpack(E&& e)
    {
        using D = std::decay_t<E>;
        static_assert(
            xt::is_xexpression<D>::value,
            "xtorch::to_dlpack takes an xtensor expression (xt::xarray, xt::xtensor, xt::adapt, xt::view, ...).");
        static_assert(
            xt::has_data_interface<D>::value,
            "xtorch::to_dlpack: this expression has no memory to share (a lazy expression such as a + b). "
            "Evaluate it first: xtorch::to_dlpack(xt::xarray<double>(e)).");
        static_assert(
            !detail::is_read_only<E>::value,
            "xtorch::to_dlpack: the expression is const, and the legacy DLPack tensor has no read-only flag, so a "
            "consumer could write into it. Use xtorch::to_dlpack_versioned(e) (read-only flag set), or pass a "
            "non-const expression.");
        static_assert(
            std::is_lvalue_reference<E>::value || detail::move_keeps_data<D>::value,
            "xtorch::to_dlpack: this temporary holds its elements inline (xt::xtensor_fixed), so moving it "
            "would copy them. Pass a variable to borrow its memory.");
        static_assert(
            XTENSOR_TORCH_DLPACK_BOOL || !std::is_same<typename D::value_type, bool>::value,
            "xtorch::to_dlpack: bool does not cross DLPack with this torch (it needs torch 2.2 or later and "
            "DLPack 0.8 or later). Cast "
            "first: xtorch::to_dlpack(xt::xarray<std::uint8_t>(xt::cast<std::uint8_t>(e))).");
        return at::toDLPack(detail::share(std::forward<E>(e), "xtorch::to_dlpack"));
    }

    /**
     * The same as to_dlpack, as a DLPack 1.x tensor (version 1.0): what `__dlpack__(max_version=(1, 0))`
     * hands out. A const expression is exported with the read-only flag set, so consumers that honour it
     * (numpy 2.1+, xtorch::from_dlpack<const T>) read it and refuse to write. The caller owns the returned
     * pointer until it hands it to a consumer, which calls its deleter.
     *
     * **Example**:  const xt::xarray<double> a = {1, 2};  auto* m = xtorch::to_dlpack_versioned(a);  // read-only
     */
    template <class E>
    dl_managed_tensor_versioned* to_dlpack_versioned(E&& e)
    {
        using D = std::decay_t<E>;
        constexpr bool read_only = detail::is_read_only<E>::value;
        static_assert(
            xt::is_xexpression<D>::value,
            "xtorch::to_dlpack_versioned takes an xtensor expression (xt::xarray, xt::xtensor, xt::view, ...).");
        static_assert(
            xt::has_data_interface<D>::value,
            "xtorch::to_dlpack_versioned: this expression has no memory to share (a lazy expression such as "
            "a + b). Evaluate it first: xtorch::to_dlpack_versioned(xt::xarray<double>(e)).");
        static_assert(
            std::is_lvalue_reference<E>::value || (!read_only && detail::move_keeps_data<D>::value),
            "xtorch::to_dlpack_versioned: this temporary cannot hand its memory over (its elements are "
            "inline, or const). Pass a variable to borrow its memory.");
        static_assert(XTENSOR_TORCH_DLPACK_BOOL || !std::is_same<typename D::value_type, bool>::value,
                      "xtorch::to_dlpack_versioned: the DLPack of this torch has no bool dtype. Cast first: "
                      "xt::xarray<std::uint8_t>(xt::cast<std::uint8_t>(e)).");
        // The legacy export does the work (dtype, shape, ownership); the versioned tensor owns it.
        DLManagedTensor* legacy = nullptr;
        if constexpr (read_only)
        {
            // Torch has no read-only tensors: this one stays inside, and the flag tells the consumer.
            legacy = at::toDLPack(detail::share(e, "xtorch::to_dlpack_versioned"));
        }
        else
        {
            legacy = at::toDLPack(detail::share(std::forward<E>(e), "xtorch::to_dlpack_versioned"));
        }
        auto* versioned = new dl_managed_tensor_versioned{};
        versioned->version.major = 1;
        versioned->version.minor = 0;
        versioned->manager_ctx = legacy;
        versioned->deleter = [](dl_managed_tensor_versioned* self)
        {
            auto* inner = static_cast<DLManagedTensor*>(self->manager_ctx);
            inner->deleter(inner);
            delete self;
        };
        versioned->flags = read_only ? dlpack_flag_read_only : 0;
        versioned->dl_tensor = legacy->dl_tensor;
        return versioned;
    }

    /**
     * A zero-copy xarray_view<T> over the memory of a DLPack tensor in host memory.
     *
     * Takes ownership of `managed` in every case: the view (and every tensor or view made from it)
     * keeps it, and `release` (default: managed->deleter) runs once when the last of them is gone; if
     * the call refuses, it releases `managed` before throwing. T must be the tensor's dtype exactly.
     * Refuses (conversion_error) a null pointer, a device other than kDLCPU / kDLCUDAHost, a dtype
     * other than T's, more than one lane, negative strides, and sizes and strides that overflow.
     * `strides == nullptr` is read as compact row-major, as DLPack specifies.
     *
     * **Example**:  auto v = xtorch::from_dlpack<double>(at::toDLPack(t));  // v(0) is t[0]
     */
    template <class T>
    xarray_view<T> from_dlpack(DLManagedTensor* managed, dlpack_release release = nullptr)
    {
        return detail::view_from_dlpack<xarray_view<T>, T>(managed, release, -1);
    }

    /// The same as from_dlpack<T> with the static rank N: also refuses a tensor whose rank is not N.
    template <class T, std::size_t N>
    xtensor_view<T, N> from_dlpack(DLManagedTensor* managed, dlpack_release release = nullptr)
    {
        return detail::view_from_dlpack<xtensor_view<T, N>, T>(managed, release,
                                                               static_cast<std::int64_t>(N));
    }

    /**
     * from_dlpack<T> for a DLPack 1.x tensor: also refuses a major version other than 1, and a tensor flagged
     * read-only unless T is const (from_dlpack<const double>). Takes ownership as the legacy overload does.
     *
     * **Example**:  auto v = xtorch::from_dlpack<const double>(xtorch::to_dlpack_versioned(std::as_const(a)));
     */
    template <class T>
    xarray_view<T> from_dlpack(dl_managed_tensor_versioned* managed,
                               dlpack_versioned_release release = nullptr)
    {
        return detail::view_from_dlpack<xarray_view<T>, T>(managed, release, -1);
    }

    /// The same with the static rank N.
    template <class T, std::size_t N>
    xtensor_view<T, N> from_dlpack(dl_managed_tensor_versioned* managed,
                                   dlpack_versioned_release release = nullptr)
    {
        return detail::view_from_dlpack<xtensor_view<T, N>, T>(managed, release,
                                                               static_cast<std::int64_t>(N));
    }
}

#endif
