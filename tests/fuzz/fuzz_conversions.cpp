// libFuzzer target: fuzz bytes become tensors and xtensor views (dtype, rank 0 to 8, sizes 0 to 4,
// strides including 0, storage offsets, permutations, reversed xtensor views), and every as_* / to_*
// call is driven both ways. Each element is checked against torch's or xtensor's own indexing, and
// each refusal against the documented rule; anything else aborts.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(views, xstrided_view)

namespace
{
    [[noreturn]] void fail(const char* what)
    {
        std::cerr << "fuzz check failed: " << what << std::endl;
        std::abort();
    }

    template <class T>
    T value_of(std::int64_t i)
    {
        if constexpr (std::is_same<T, bool>::value)
        {
            return i % 3 == 0;
        }
        else if constexpr (xtorch::detail::is_complex<T>::value)
        {
            using R = typename T::value_type;
            return T(static_cast<R>(i % 7), static_cast<R>(-(i % 5)));
        }
        else
        {
            return static_cast<T>(static_cast<float>(i % 11));
        }
    }

    /// Every element of e (row-major) equals the contiguous tensor's.
    template <class E>
    bool same(const E& e, const at::Tensor& t)
    {
        using T = std::remove_cv_t<typename E::value_type>;
        const at::Tensor c = t.contiguous();
        if (static_cast<std::int64_t>(e.size()) != c.numel())
        {
            return false;
        }
        const T* p = static_cast<const T*>(c.data_ptr());
        std::int64_t i = 0;
        for (auto it = e.cbegin(); it != e.cend(); ++it, ++i)
        {
            if (!(*it == p[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// Whether two elements of t lie at the same offset, counted element by element (sizes are at most 4).
    bool elements_meet(const at::Tensor& t)
    {
        std::vector<std::int64_t> offsets(1, 0);
        for (std::int64_t d = 0; d < t.dim(); ++d)
        {
            std::vector<std::int64_t> next;
            for (const auto o : offsets)
            {
                for (std::int64_t i = 0; i < t.size(d); ++i)
                {
                    next.push_back(o + i * t.stride(d));
                }
            }
            offsets.swap(next);
        }
        std::sort(offsets.begin(), offsets.end());
        return std::adjacent_find(offsets.begin(), offsets.end()) != offsets.end();
    }

    /// The documented rule of writable views: strides nest (ascending, each past the extent of the smaller
    /// dimensions) on the dimensions longer than 1, or there is no element.
    bool strides_nest(const at::Tensor& t)
    {
        std::vector<std::pair<std::int64_t, std::int64_t>> dims;
        for (std::int64_t d = 0; d < t.dim(); ++d)
        {
            if (t.size(d) == 0)
            {
                return true;
            }
            if (t.size(d) > 1)
            {
                dims.emplace_back(t.stride(d), t.size(d));
            }
        }
        std::sort(dims.begin(), dims.end());
        std::int64_t extent = 1;
        for (const auto& [stride, size] : dims)
        {
            if (stride < extent)
            {
                return false;
            }
            extent += stride * (size - 1);
        }
        return true;
    }

    template <class T>
    void run(FuzzedDataProvider& in)
    {
        constexpr auto dtype = xtorch::scalar_type_of<T>();
        // A base storage, and a strided tensor over it that stays inside it.
        const auto storage_size = in.ConsumeIntegralInRange<std::int64_t>(1, 256);
        at::Tensor base = at::empty({storage_size}, at::TensorOptions().dtype(dtype));
        T* data = static_cast<T*>(base.data_ptr());
        for (std::int64_t i = 0; i < storage_size; ++i)
        {
            data[i] = value_of<T>(i);
        }
        const auto rank = in.ConsumeIntegralInRange<int>(0, 8);
        std::vector<std::int64_t> sizes(rank), strides(rank);
        std::int64_t reach = 0;
        bool empty = false;
        for (int d = 0; d < rank; ++d)
        {
            sizes[d] = in.ConsumeIntegralInRange<std::int64_t>(0, 4);
            strides[d] = in.ConsumeIntegralInRange<std::int64_t>(0, 6);
            empty = empty || sizes[d] == 0;
            reach += sizes[d] > 0 ? (sizes[d] - 1) * strides[d] : 0;
        }
        if (!empty && reach >= storage_size)
        {
            return;  // torch's as_strided would refuse it; nothing of ours to test
        }
        const auto offset = empty ? 0 : in.ConsumeIntegralInRange<std::int64_t>(0, storage_size - 1 - reach);
        at::Tensor t = base.as_strided(sizes, strides, offset);
        if (rank >= 2 && in.ConsumeBool())
        {
            t = t.transpose(0, rank - 1);
        }
        const bool grad = std::is_floating_point<T>::value && in.ConsumeBool();
        if (grad)
        {
            t = t.detach().requires_grad_();
        }
        const bool conj = xtorch::detail::is_complex<T>::value && in.ConsumeBool();
        if (conj)
        {
            t = t.conj();
        }

        // torch -> xtensor, viewed: refused exactly when the documented rules say so. A writable view refuses
        // strides that do not nest, and so every tensor whose elements meet; a const view reads those.
        const bool nest = strides_nest(t);
        if (elements_meet(t) && nest)
        {
            fail("elements meet though the strides nest: the writable rule would let a view write twice");
        }
        const bool refuse = grad || conj || !nest;
        try
        {
            auto r = xtorch::as_xarray<const T>(t);
            if (conj || !same(r, t))
            {
                fail("as_xarray<const T> accepted a conjugate tensor or misread an element");
            }
        }
        catch (const xtorch::conversion_error&)
        {
            if (!conj)
            {
                fail("as_xarray<const T> refused a tensor it must read");
            }
        }
        try
        {
            auto v = xtorch::as_xarray<T>(t);
            if (refuse)
            {
                fail("as_xarray accepted a tensor it must refuse");
            }
            if (!same(v, t))
            {
                fail("as_xarray misread an element");
            }
            at::Tensor back = xtorch::as_tensor(v);
            if (!back.is_alias_of(t) || back.data_ptr() != t.data_ptr() || !back.equal(t))
            {
                fail("as_tensor(as_xarray(t)) is not the same memory and values");
            }
        }
        catch (const xtorch::conversion_error&)
        {
            if (!refuse)
            {
                fail("as_xarray refused a tensor it must accept");
            }
        }
        // The static-rank calls: accepted for rank 2 under the same rules, refused for any other rank.
        try
        {
            auto m = xtorch::as_xtensor<T, 2>(t);
            if (refuse || t.dim() != 2 || !same(m, t))
            {
                fail("as_xtensor broke its rules or misread an element");
            }
        }
        catch (const xtorch::conversion_error&)
        {
            if (!refuse && t.dim() == 2)
            {
                fail("as_xtensor refused a rank-2 tensor it must accept");
            }
        }
        try
        {
            xt::xtensor<T, 2> m = xtorch::to_xtensor<T, 2>(t);
            if (t.dim() != 2 || !same(m, t.detach().resolve_conj()))
            {
                fail("to_xtensor broke its rules or misread an element");
            }
        }
        catch (const xtorch::conversion_error&)
        {
            if (t.dim() == 2)
            {
                fail("to_xtensor refused a rank-2 tensor");
            }
        }
        // A wrong dtype is always refused.
        try
        {
            if constexpr (std::is_same<T, float>::value)
            {
                (void)xtorch::as_xarray<double>(t);
            }
            else
            {
                (void)xtorch::as_xarray<float>(t);
            }
            fail("as_xarray accepted a wrong dtype");
        }
        catch (const xtorch::conversion_error&)
        {
        }

        // torch -> xtensor, copied, with and without a cast: never refused for these.
        const at::Tensor plain = t.detach().resolve_conj();
        xt::xarray<T> copy = xtorch::to_xarray<T>(t);
        if (!same(copy, plain))
        {
            fail("to_xarray misread an element");
        }
        using Wide = std::conditional_t<xtorch::detail::is_complex<T>::value, std::complex<double>, double>;
        xt::xarray<Wide> cast = xtorch::to_xarray<Wide>(t);
        if (!same(cast, plain.to(xtorch::scalar_type_of<Wide>())))
        {
            fail("to_xarray with a cast misread an element");
        }

        // xtensor -> torch: a strided view of the copy, reversed along some dimensions.
        if (copy.dimension() == 0 || copy.size() == 0)
        {
            return;
        }
        xt::xstrided_slice_vector slices;
        std::vector<std::int64_t> flipped;
        for (std::size_t d = 0; d < copy.dimension(); ++d)
        {
            if (in.ConsumeBool())
            {
                slices.push_back(xt::range(xt::placeholders::_, xt::placeholders::_, -1));
                if (copy.shape()[d] > 1)
                {
                    flipped.push_back(static_cast<std::int64_t>(d));
                }
            }
            else
            {
                slices.push_back(xt::all());
            }
        }
        auto sv = xt::strided_view(copy, slices);
        at::Tensor expected = xtorch::as_tensor(copy).flip(flipped);
        try
        {
            at::Tensor shared = xtorch::as_tensor(sv);
            if (!flipped.empty())
            {
                fail("as_tensor accepted negative strides");
            }
            if (!shared.equal(expected) || shared.data_ptr() != static_cast<void*>(copy.data()))
            {
                fail("as_tensor misread the view");
            }
        }
        catch (const xtorch::conversion_error&)
        {
            if (flipped.empty())
            {
                fail("as_tensor refused a view without negative strides");
            }
        }
        if (!xtorch::to_tensor(sv).equal(expected))
        {
            fail("to_tensor misread the view");
        }
        if (!xtorch::to_tensor(sv, xtorch::scalar_type_of<Wide>())
                 .equal(expected.to(xtorch::scalar_type_of<Wide>())))
        {
            fail("to_tensor with a cast misread the view");
        }
    }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    FuzzedDataProvider in(bytes, size);
    switch (in.ConsumeIntegralInRange<int>(0, 5))
    {
        case 0: run<float>(in); break;
        case 1: run<double>(in); break;
        case 2: run<std::int64_t>(in); break;
        case 3: run<bool>(in); break;
        case 4: run<std::complex<float>>(in); break;
        default: run<std::uint8_t>(in); break;
    }
    return 0;
}
