// Tests of dlpack.hpp: to_dlpack and from_dlpack, ownership both ways, every dtype DLPack carries, refusals.
#include "test_common.hpp"

using namespace xtorch_test;

namespace
{
    /// A DLManagedTensor built by hand over `values`, for the cases no producer makes; its deleter
    /// counts in frees().
    struct hand_dl
    {
        std::vector<double> values;
        std::vector<std::int64_t> shape;
        std::vector<std::int64_t> strides;
        DLManagedTensor managed{};

        hand_dl(std::vector<double> v, std::vector<std::int64_t> sh, std::vector<std::int64_t> st)
            : values(std::move(v))
            , shape(std::move(sh))
            , strides(std::move(st))
        {
            managed.dl_tensor.data = values.data();
            managed.dl_tensor.device = {kDLCPU, 0};
            managed.dl_tensor.ndim = static_cast<std::int32_t>(shape.size());
            managed.dl_tensor.dtype = {kDLFloat, 64, 1};
            managed.dl_tensor.shape = shape.data();
            managed.dl_tensor.strides = strides.empty() ? nullptr : strides.data();
            managed.dl_tensor.byte_offset = 0;
            managed.manager_ctx = this;
            managed.deleter = [](DLManagedTensor*) { ++frees(); };
        }
    };
}

TEST_CASE("to_dlpack: an lvalue is borrowed, with its shape and strides", "[dlpack]")
{
    xt::xarray<double> a = {{1, 2, 3}, {4, 5, 6}};
    auto tr = xt::transpose(a);
    DLManagedTensor* m = xtorch::to_dlpack(tr);
    REQUIRE(m->dl_tensor.data == a.data());
    REQUIRE(m->dl_tensor.ndim == 2);
    REQUIRE(m->dl_tensor.shape[0] == 3);
    REQUIRE(m->dl_tensor.shape[1] == 2);
    REQUIRE(m->dl_tensor.strides[0] == 1);
    REQUIRE(m->dl_tensor.strides[1] == 3);
    REQUIRE(m->dl_tensor.dtype.code == kDLFloat);
    REQUIRE(m->dl_tensor.dtype.bits == 64);
    // torch, as a consumer, reads the transposed values and writes into a.
    at::Tensor t = at::fromDLPack(m);
    REQUIRE(t.data_ptr() == a.data());
    REQUIRE(at::equal(t, at::tensor({1., 4., 2., 5., 3., 6.}, at::kDouble).reshape({3, 2})));
    t.mul_(2);
    REQUIRE(a(1, 2) == 12);
}

TEST_CASE("to_dlpack: an rvalue container moves in and is freed exactly once, by the consumer",
          "[dlpack][lifetime]")
{
    frees() = 0;
    counted_xarray a = xt::arange<double>(10);
    const double* buffer = a.data();
    DLManagedTensor* m = xtorch::to_dlpack(std::move(a));
    REQUIRE(m->dl_tensor.data == buffer);  // no copy
    REQUIRE(frees() == 0);
    {
        auto v = xtorch::from_dlpack<double>(m);  // the view owns m now
        REQUIRE(&v(0) == buffer);
        REQUIRE(v(9) == 9);
        auto second = v;
        REQUIRE(frees() == 0);
    }
    REQUIRE(frees() == 1);
}

TEST_CASE("from_dlpack: a view over torch's DLPack export outlives the tensor", "[dlpack][lifetime]")
{
    frees() = 0;
    at::Tensor back;
    {
        xtorch::xtensor_view<float, 2> v = []
        {
            at::Tensor t = counted_tensor(12).reshape({3, 4}).t();  // transposed: strides (1, 4)
            return xtorch::from_dlpack<float, 2>(at::toDLPack(t));
        }();
        REQUIRE(frees() == 0);
        REQUIRE(v.shape()[0] == 4);
        REQUIRE(v.strides()[1] == 4);
        REQUIRE(v(1, 2) == 9.f);
        back = xtorch::as_tensor(v);  // shares the storage that owns the DLPack tensor
        v(1, 2) = -1.f;
        REQUIRE(read_raw<float>(back.contiguous(), 1 * 3 + 2) == -1.f);
    }
    REQUIRE(frees() == 0);  // back still holds it
    back = at::Tensor();
    REQUIRE(frees() == 1);
}

TEST_CASE("DLPack round trips for every dtype of the map that DLPack carries", "[dlpack][dtype]")
{
    for_each_type(all_types{},
                  [](auto tag)
                  {
                      using T = typename decltype(tag)::type;
                      if constexpr (XTENSOR_TORCH_DLPACK_BOOL || !std::is_same<T, bool>::value)
                      {
                          INFO(xtorch::type_name<T>());
                          xt::xarray<T> a = xt::xarray<T>::from_shape({2, 3});
                          for (std::size_t i = 0; i < a.size(); ++i)
                          {
                              a.flat(i) = sample<T>(static_cast<int>(i));
                          }
                          const xt::xarray<T> expected = a;
                          const T* buffer = a.data();
                          auto v = xtorch::from_dlpack<T>(xtorch::to_dlpack(std::move(a)));
                          REQUIRE(&v(0, 0) == buffer);
                          REQUIRE((v == expected));
                          // And through torch as the consumer, with the dtype torch gives it.
                          auto w = xtorch::as_xarray<T>(at::fromDLPack(xtorch::to_dlpack(v)));
                          REQUIRE(&w(0, 0) == buffer);
                      }
                  });
}

TEST_CASE("from_dlpack: compact strides, byte offsets and a custom release", "[dlpack]")
{
    frees() = 0;
    static int released = 0;
    released = 0;
    {
        hand_dl h({0, 1, 2, 3, 4, 5, 6, 7}, {2, 3}, {});  // strides == nullptr: row-major
        h.managed.dl_tensor.byte_offset = 2 * sizeof(double);
        {
            auto v = xtorch::from_dlpack<double>(&h.managed, [](DLManagedTensor*) { ++released; });
            REQUIRE(v(0, 0) == 2);
            REQUIRE(v(1, 2) == 7);
            REQUIRE(v.strides()[0] == 3);
        }
        REQUIRE(released == 1);
        REQUIRE(frees() == 0);  // the custom release replaced the deleter
    }
}

TEST_CASE("from_dlpack: refusals release the tensor and say what works", "[dlpack][refusal]")
{
    frees() = 0;
    SECTION("dtype mismatch")
    {
        hand_dl h({1, 2}, {2}, {1});
        const std::string msg = refusal([&] { xtorch::from_dlpack<float>(&h.managed); });
        REQUIRE(
            msg
            == "xtorch::from_dlpack<float>: dtype mismatch (found float64 (DLPack code 2, 64 bits), torch "
               "Double, expected Float). Use xtorch::from_dlpack<double> to view it as it is, or convert it on "
               "the producer's side.");
        REQUIRE(frees() == 1);
    }
    SECTION("device")
    {
        hand_dl h({1, 2}, {2}, {1});
        h.managed.dl_tensor.device = {kDLCUDA, 1};
        const std::string msg = refusal([&] { xtorch::from_dlpack<double>(&h.managed); });
        REQUIRE_THAT(msg,
                     text::Contains("not in host memory (found DLPack device type 2, id 1, expected kDLCPU"));
        REQUIRE(frees() == 1);
    }
    SECTION("negative strides")
    {
        hand_dl h({1, 2, 3}, {3}, {-1});
        h.managed.dl_tensor.data = h.values.data() + 2;
        const std::string msg = refusal([&] { xtorch::from_dlpack<double>(&h.managed); });
        REQUIRE_THAT(msg, text::Contains("stride in the given DLPack tensor is negative"));
        REQUIRE_THAT(msg, text::Contains("numpy.ascontiguousarray"));
        REQUIRE(frees() == 1);
    }
    SECTION("rank")
    {
        hand_dl h({1, 2}, {2}, {1});
        const std::string msg = refusal([&] { xtorch::from_dlpack<double, 2>(&h.managed); });
        REQUIRE_THAT(msg, text::Contains("xtorch::from_dlpack<double, 2>: rank mismatch (found rank 1"));
        REQUIRE(frees() == 1);
    }
    SECTION("lanes")
    {
        hand_dl h({1, 2}, {1}, {1});
        h.managed.dl_tensor.dtype = {kDLFloat, 32, 2};
        const std::string msg = refusal([&] { xtorch::from_dlpack<float>(&h.managed); });
        REQUIRE_THAT(msg, text::Contains("unsupported DLPack dtype (found float32x2"));
        REQUIRE(frees() == 1);
    }
    SECTION("sizes whose compact strides do not fit in int64")
    {
        hand_dl h({1, 2}, {std::int64_t(1) << 62, 4}, {});
        const std::string msg = refusal([&] { xtorch::from_dlpack<double>(&h.managed); });
        REQUIRE_THAT(msg,
                     text::Contains("the DLPack tensor's sizes and strides span more bytes than a tensor "
                                    "can address"));
        REQUIRE(frees() == 1);
    }
    SECTION("null")
    {
        DLManagedTensor* none = nullptr;
        REQUIRE_THAT(refusal([&] { xtorch::from_dlpack<float>(none); }),
                     text::Contains("the DLManagedTensor pointer is null"));
        xtorch::dl_managed_tensor_versioned* none_versioned = nullptr;
        REQUIRE_THAT(refusal([&] { xtorch::from_dlpack<float>(none_versioned); }),
                     text::Contains("the DLManagedTensor"
                                    "Versioned pointer is null"));
    }
}

TEST_CASE("to_dlpack: a reversed view is refused by to_dlpack's name", "[dlpack][refusal]")
{
    xt::xarray<double> a = {1, 2, 3};
    auto r = xt::view(a, xt::range(xt::placeholders::_, xt::placeholders::_, -1));
    const std::string msg = refusal([&] { xtorch::to_dlpack(r); });
    REQUIRE_THAT(msg, text::StartsWith("xtorch::to_dlpack: at least one stride"));
}

// DLPack 1.x: the versioned tensor carries a version and flags; const expressions go out read-only, and only
// a view of const elements takes a read-only tensor. (The struct is DLPack's own where torch's header is 1.x,
// else declared by the library with the same layout.)
TEST_CASE("to_dlpack_versioned: version 1.0, read-only for const expressions, freed once",
          "[dlpack][lifetime]")
{
    frees() = 0;
    {
        counted_xarray a = xt::arange<double>(6);
        const counted_xarray& ca = a;
        xtorch::dl_managed_tensor_versioned* m = xtorch::to_dlpack_versioned(ca);
        REQUIRE(m->version.major == 1);
        REQUIRE(m->version.minor == 0);
        REQUIRE(m->flags == xtorch::dlpack_flag_read_only);
        REQUIRE(m->dl_tensor.data == a.data());  // borrowed, not copied
        REQUIRE(m->dl_tensor.dtype.code == kDLFloat);
        REQUIRE(m->dl_tensor.dtype.bits == 64);
        auto v = xtorch::from_dlpack<const double, 1>(m);
        REQUIRE(&v(0) == a.data());
        REQUIRE(v(5) == 5);
        a(5) = 50;  // the view reads the container's memory
        REQUIRE(v(5) == 50);
    }
    REQUIRE(frees() == 1);  // the container's own buffer, freed by its destructor alone

    frees() = 0;
    counted_xarray b = xt::arange<double>(4);
    const double* buffer = b.data();
    xtorch::dl_managed_tensor_versioned* m = xtorch::to_dlpack_versioned(std::move(b));
    REQUIRE(m->flags == 0);  // writable
    {
        auto v = xtorch::from_dlpack<double>(m);  // the view owns m now
        REQUIRE(&v(0) == buffer);
        v(0) = 7;
        REQUIRE(frees() == 0);
    }
    REQUIRE(frees() == 1);
}

TEST_CASE("from_dlpack: versioned refusals release the tensor and say what works", "[dlpack][refusal]")
{
    frees() = 0;
    hand_dl h({1, 2}, {2}, {1});
    xtorch::dl_managed_tensor_versioned versioned{};
    versioned.version.major = 1;
    versioned.version.minor = 1;
    versioned.flags = xtorch::dlpack_flag_read_only;
    versioned.dl_tensor = h.managed.dl_tensor;
    versioned.deleter = [](xtorch::dl_managed_tensor_versioned*) { ++frees(); };
    SECTION("a read-only tensor for a writable view")
    {
        const std::string msg = refusal([&] { xtorch::from_dlpack<double>(&versioned); });
        REQUIRE(
            msg
            == "xtorch::from_dlpack<double>: the DLPack tensor is read-only (found the read-only flag set, "
               "expected writable memory). Use xtorch::from_dlpack<const double>(m) to read it, or copy it on "
               "the producer's side.");
        REQUIRE(frees() == 1);
    }
    SECTION("a read-only tensor for a const view")
    {
        {
            auto v = xtorch::from_dlpack<const double>(&versioned);
            REQUIRE(v(1) == 2);
            REQUIRE(frees() == 0);
        }
        REQUIRE(frees() == 1);
    }
    SECTION("another major version")
    {
        versioned.version.major = 2;
        const std::string msg = refusal([&] { xtorch::from_dlpack<const double>(&versioned); });
        REQUIRE_THAT(msg,
                     text::Contains("unsupported DLPack major version (found version 2.1, expected major "
                                    "version 1)"));
        REQUIRE(frees() == 1);  // DLPack: a consumer that cannot read the version still calls the deleter
    }
    SECTION("a copied tensor is fine in C++: the view owns the copy")
    {
        versioned.flags = xtorch::dlpack_flag_is_copied;
        auto v = xtorch::from_dlpack<double>(&versioned);
        v(0) = 3;
        REQUIRE(h.values[0] == 3);
    }
}
